import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestMmsc } from '@openmmsc/testkit';
import consolePlugin from '../src/index.js';
import { login, testAccounts } from './rig.js';

describe('console configuration', () => {
  it('is off unless configured: without the plugin the admin server has no console and no log-in', async () => {
    const t = await startTestMmsc();
    try {
      for (const path of ['/console/login', '/console/api/session', '/console/messages']) {
        assert.equal((await fetch(`${t.mmsc.adminUrl}${path}`)).status, 404, path);
      }
      const post = await fetch(`${t.mmsc.adminUrl}/console/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":"admin","password":"admin"}' });
      assert.equal(post.status, 404);
    } finally {
      await t.stop();
    }
  });

  it('has no default account: no accounts, or a plain password instead of a hash, is a config error', async () => {
    await assert.rejects(startTestMmsc({ plugins: [{ plugin: consolePlugin, options: { accounts: [] } }] }), /accounts.*at least one account/s);
    await assert.rejects(
      startTestMmsc({ plugins: [{ plugin: consolePlugin, options: { accounts: [{ user: 'admin', role: 'admin', passwordHash: 'admin' }] } }] }),
      /passwordHash.*scrypt hash/s,
    );
  });

  it('refuses to start when the admin server is off (it would serve nothing)', async () => {
    await assert.rejects(startTestMmsc({ plugins: [{ plugin: consolePlugin, options: { accounts: await testAccounts() } }], config: { admin: { enabled: false } } }), /admin\.enabled/);
  });

  it('a session ends after its idle time: the cookie then opens nothing', async () => {
    const t = await startTestMmsc({ plugins: [{ plugin: consolePlugin, options: { accounts: await testAccounts(), session: { idle: 300 } } }] });
    try {
      const base = `${t.mmsc.adminUrl}/console`;
      const s = await login(base, 'victor');
      assert.equal((await fetch(`${base}/api/links`, { headers: { cookie: s.cookie } })).status, 200);
      await sleep(450);
      assert.equal((await fetch(`${base}/api/links`, { headers: { cookie: s.cookie } })).status, 401);
      const page = await fetch(`${base}/links`, { headers: { cookie: s.cookie }, redirect: 'manual' });
      assert.equal(page.status, 303, 'a page sends the browser back to the log-in form');
    } finally {
      await t.stop();
    }
  });

  it('a session ends at its lifetime even while in use', async () => {
    const t = await startTestMmsc({ plugins: [{ plugin: consolePlugin, options: { accounts: await testAccounts(), session: { ttl: 400, idle: '1h' } } }] });
    try {
      const base = `${t.mmsc.adminUrl}/console`;
      const s = await login(base, 'victor');
      for (let i = 0; i < 3; i++) {
        assert.equal((await fetch(`${base}/api/links`, { headers: { cookie: s.cookie } })).status, 200);
        await sleep(100);
      }
      await sleep(250);
      assert.equal((await fetch(`${base}/api/links`, { headers: { cookie: s.cookie } })).status, 401);
    } finally {
      await t.stop();
    }
  });
});
