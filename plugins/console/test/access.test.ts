import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildMessage, recordingPushBearer, routeAllTo, startTestMmsc, type TestMmsc } from '@openmmsc/testkit';
import consolePlugin from '../src/index.js';
import { hashPassword, verifyPassword } from '../src/auth/password.js';
import { login, testAccounts, TEST_COST } from './rig.js';

describe('console access control over HTTP', () => {
  let t: TestMmsc;
  let base: string;
  before(async () => {
    t = await startTestMmsc({
      plugins: [routeAllTo('local'), recordingPushBearer().plugin, { plugin: consolePlugin, options: { accounts: await testAccounts(), session: { ttl: '1h', idle: '10m' }, login: { maxFailures: 3, window: '1m' } } }],
      config: {},
    });
    base = `${t.mmsc.adminUrl}/console`;
  });
  after(async () => t?.stop());

  it('serves nothing without a session: pages redirect to the log-in form, the API answers 401', async () => {
    const page = await fetch(`${base}/messages`, { redirect: 'manual' });
    assert.equal(page.status, 303);
    assert.match(page.headers.get('location') ?? '', /\/console\/login\?next=/);
    const api = await fetch(`${base}/api/messages?address=%2B1555`);
    assert.equal(api.status, 401);
  });

  it('the log-in page has a strict CSP, no inline script, and a local script only', async () => {
    const res = await fetch(`${base}/login`);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    const body = await res.text();
    assert.doesNotMatch(body, /<script>(?!<\/script>)|<script(?![^>]*src=)[^>]*>/);
    assert.doesNotMatch(body, /https?:\/\//, 'nothing is loaded from another host');
  });

  it('wrong password is 401, and the session cookie is HttpOnly, SameSite=Strict', async () => {
    const bad = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'victor', password: 'nope-nope' }) });
    assert.equal(bad.status, 401);
    const res = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'victor', password: 'victor-secret-1' }) });
    assert.equal(res.status, 200);
    const cookie = res.headers.get('set-cookie') ?? '';
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.doesNotMatch(cookie, /Secure/, 'no TLS on this admin server: Secure would drop the cookie');
  });

  it('a state-changing request without the CSRF token, or with a wrong one, or from another site is refused', async () => {
    const s = await login(base, 'alice');
    const id = await submitOne(t);
    const url = `${base}/api/messages/${id}/recipients/0/retry-now`;
    const none = await fetch(url, { method: 'POST', headers: { cookie: s.cookie } });
    assert.equal(none.status, 403);
    assert.match(await none.text(), /CSRF/);
    const wrong = await fetch(url, { method: 'POST', headers: { cookie: s.cookie, 'x-csrf-token': `${s.csrf.slice(0, -2)}xx` } });
    assert.equal(wrong.status, 403);
    const form = await fetch(`${base}/messages/${id}/actions`, { method: 'POST', headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' }, body: `_csrf=${s.csrf}&index=0&action=retry-now` });
    assert.equal(form.status, 403, 'a form posted from another site is refused even with the token');
    const ok = await fetch(url, { method: 'POST', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    assert.equal(ok.status, 200, await ok.clone().text());
    // Found, not the last entry: the notification the retry starts may land after it.
    const retried = (await t.mmsc.getRecipients(id))[0]!.history.find((e) => e.event === 'operator-retry');
    assert.equal(retried?.by, 'console:alice');
  });

  it('the view role reads but may not act (403); operate may', async () => {
    const id = await submitOne(t);
    const v = await login(base, 'victor');
    assert.equal((await fetch(`${base}/api/messages/${id}`, { headers: { cookie: v.cookie } })).status, 200);
    const refused = await fetch(`${base}/api/messages/${id}/recipients/0/retry-now`, { method: 'POST', headers: { cookie: v.cookie, 'x-csrf-token': v.csrf } });
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /needs the operate role/);
    const o = await login(base, 'olga');
    const ok = await fetch(`${base}/api/messages/${id}/recipients/0/retry-now`, { method: 'POST', headers: { cookie: o.cookie, 'x-csrf-token': o.csrf } });
    assert.equal(ok.status, 200);
  });

  it('log-in is throttled after repeated failures, per user', async () => {
    const attempt = (password: string) => fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'olga', password }) });
    for (let i = 0; i < 3; i++) assert.equal((await attempt('wrong-password')).status, 401);
    const blocked = await attempt('olga-secret-1');
    assert.equal(blocked.status, 429, 'even the right password waits out the window');
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
    assert.equal((await login(base, 'alice')).csrf.length > 0, true, 'another user from the same address still logs in');
  });

  it('log-out ends the session everywhere (the cookie no longer opens anything)', async () => {
    const s = await login(base, 'alice');
    assert.equal((await fetch(`${base}/api/links`, { headers: { cookie: s.cookie } })).status, 200);
    assert.equal((await fetch(`${base}/api/session`, { method: 'DELETE', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } })).status, 204);
    assert.equal((await fetch(`${base}/api/links`, { headers: { cookie: s.cookie } })).status, 401);
  });

  it('serves an OpenAPI 3.1 description whose every path exists and is guarded', async () => {
    const res = await fetch(`${base}/api/openapi.json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { openapi: string; servers: Array<{ url: string }>; paths: Record<string, Record<string, { security?: unknown }>> };
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.servers[0]!.url, '/console');
    assert.ok(Object.keys(doc.paths).length >= 10);
    for (const [path, methods] of Object.entries(doc.paths)) {
      const url = `${base}${path.replace(/\{[^}]+\}/g, (m) => (m === '{action}' ? 'retry-now' : m === '{index}' || m === '{n}' ? '0' : 'x'))}`;
      for (const [method, op] of Object.entries(methods)) {
        if (!op.security) continue;
        const r = await fetch(url, { redirect: 'manual', method: method.toUpperCase(), headers: method === 'get' ? {} : { 'content-type': 'application/json' }, ...(method === 'get' ? {} : { body: '{}' }) });
        // Pages and files send a browser to the log-in form; the API answers 401.
        assert.equal(r.status, path.startsWith('/api/') ? 401 : 303, `${method.toUpperCase()} ${path} exists and needs a session`);
      }
    }
  });

  it('password hashes: scrypt, salted, verified in constant time; short passwords refused', async () => {
    const a = await hashPassword('correct horse', TEST_COST);
    const b = await hashPassword('correct horse', TEST_COST);
    assert.notEqual(a, b, 'salted');
    assert.match(a, /^scrypt\$1024\$8\$1\$/);
    assert.equal(await verifyPassword('correct horse', a), true);
    assert.equal(await verifyPassword('correct hors', a), false);
    assert.equal(await verifyPassword('x', 'plain-text'), false);
    await assert.rejects(hashPassword('short'), /at least 8/);
  });
});

async function submitOne(t: TestMmsc): Promise<string> {
  const r = await t.mmsc.submit({ message: buildMessage({ from: '+15550000001', to: ['+15550000002'], text: 'hello' }), origin: { interface: 'mm1' } });
  assert.equal(r.status, 'accepted');
  return r.messageId;
}
