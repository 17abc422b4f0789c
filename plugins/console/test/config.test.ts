import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { curlWithCa, makeTestPki, startTestMmsc, requireSystem } from '@openmmsc/testkit';
import consolePlugin from '../src/index.js';
import { login, PASSWORDS, testAccounts } from './rig.js';

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
    const t = await startTestMmsc({ plugins: [{ plugin: consolePlugin, options: { accounts: await testAccounts(), session: { idle: 1000 } } }] });
    try {
      const base = `${t.mmsc.adminUrl}/console`;
      const s = await login(base, 'victor');
      assert.equal((await fetch(`${base}/api/links`, { headers: { cookie: s.cookie } })).status, 200);
      await sleep(1300);
      assert.equal((await fetch(`${base}/api/links`, { headers: { cookie: s.cookie } })).status, 401);
      const page = await fetch(`${base}/links`, { headers: { cookie: s.cookie }, redirect: 'manual' });
      assert.equal(page.status, 303, 'a page sends the browser back to the log-in form');
    } finally {
      await t.stop();
    }
  });

  it('a session ends at its lifetime even while in use', async () => {
    const t = await startTestMmsc({ plugins: [{ plugin: consolePlugin, options: { accounts: await testAccounts(), session: { ttl: 1000, idle: '1h' } } }] });
    try {
      const base = `${t.mmsc.adminUrl}/console`;
      const t0 = Date.now();
      const s = await login(base, 'victor');
      // In use all along (a busy machine may stretch the loop: only answers well inside the lifetime count).
      while (Date.now() - t0 < 600) {
        const status = (await fetch(`${base}/api/links`, { headers: { cookie: s.cookie } })).status;
        if (Date.now() - t0 < 900) assert.equal(status, 200);
        await sleep(100);
      }
      await sleep(Math.max(0, t0 + 1100 - Date.now()));
      assert.equal((await fetch(`${base}/api/links`, { headers: { cookie: s.cookie } })).status, 401);
    } finally {
      await t.stop();
    }
  });

  it('over HTTPS the session cookie is Secure (curl as the client)', { skip: requireSystem('openssl', 'curl') }, async () => {
    const pki = await makeTestPki([]);
    const t = await startTestMmsc({
      plugins: [{ plugin: consolePlugin, options: { accounts: await testAccounts() } }],
      config: { admin: { host: '127.0.0.1', port: 0, tls: { cert: pki.server.cert, key: pki.server.key } } },
    });
    try {
      const body = JSON.stringify({ user: 'victor', password: PASSWORDS.victor });
      const r = await curlWithCa(pki.ca, ['-D', '-', '-X', 'POST', '-H', 'content-type: application/json', '-d', body, `${t.mmsc.adminUrl}/console/api/session`]);
      assert.equal(r.status, 200);
      assert.match(r.body, /^set-cookie: openmmsc_console=[^;\r\n]+; Path=\/console; HttpOnly; SameSite=Strict; Secure/im);
      assert.match(r.body, /^strict-transport-security|^content-security-policy: default-src 'none'/im);
    } finally {
      await t.stop();
      await pki.remove();
    }
  });
});
