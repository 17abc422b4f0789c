import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildMessage, recordingPushBearer, routeAllTo, startTestMmsc, waitFor, type TestMmsc } from '@openmmsc/testkit';
import consolePlugin from '../src/index.js';
import type { SearchResult } from '../src/trace/search.js';
import { login, testAccounts, type Login } from './rig.js';

describe('message search: a bounded scan that says where it stopped', () => {
  let t: TestMmsc;
  let s: Login;
  let base: string;
  const ids: string[] = [];
  before(async () => {
    t = await startTestMmsc({ plugins: [routeAllTo('local'), recordingPushBearer().plugin, { plugin: consolePlugin, options: { accounts: await testAccounts(), trace: { maxResults: 5, maxWindow: '1h', flushMs: 10 } } }] });
    base = `${t.mmsc.adminUrl}/console`;
    s = await login(base, 'victor');
    for (let i = 0; i < 8; i++) {
      const r = await t.mmsc.submit({ message: buildMessage({ from: i % 2 ? 'alice@example.com' : '+15550000001', to: `+1555000010${i}`, subject: `n${i}` }), origin: { interface: i % 2 ? 'mm3' : 'mm1' } });
      ids.push(r.messageId);
    }
    // Entries are written in batches: wait for the last ones of both interfaces.
    await waitFor('indexed', async () => (await search('iface=mm1')).hits.length === 4 && (await search('iface=mm3')).hits.length === 4);
  });
  after(async () => t?.stop());

  const search = async (q: string) => {
    const res = await fetch(`${base}/api/messages?${q}`, { headers: { cookie: s.cookie } });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as SearchResult;
  };

  it('lists the newest first and stops at maxResults, saying so', async () => {
    const r = await search('address=');
    assert.equal(r.hits.length, 5);
    assert.deepEqual(r.hits.map((h) => h.id), ids.slice(3).reverse());
    assert.match(r.stopped ?? '', /maxResults/);
  });

  it('finds by e-mail address (any case), by interface and by state', async () => {
    const mail = await search(`address=${encodeURIComponent('Alice@Example.com')}`);
    assert.deepEqual(mail.hits.map((h) => h.id).sort(), [ids[1], ids[3], ids[5], ids[7]].sort());
    assert.equal((await search('iface=mm3&state=rejected')).hits.length, 0);
    const pending = await search('iface=mm1&state=pending');
    assert.equal(pending.hits.length, 4);
  });

  it('cuts a range longer than maxWindow to its newest part and says so; a range in the future finds nothing', async () => {
    const long = await search(`address=%2B15550000103&since=${Date.now() - 48 * 3_600_000}`);
    assert.deepEqual(long.hits.map((h) => h.id), [ids[3]]);
    assert.match(long.stopped ?? '', /maxWindow/);
    assert.equal((await search(`since=${Date.now() + 3_600_000}&until=${Date.now() + 7_200_000}`)).hits.length, 0);
  });

  it('a message id is read from the store without a scan; a bad time is a 400', async () => {
    const r = await search(`id=${ids[0]}`);
    assert.equal(r.scanned, 0);
    assert.equal(r.hits[0]!.subject, 'n0');
    const bad = await fetch(`${base}/api/messages?since=yesterday`, { headers: { cookie: s.cookie } });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /since: not a time/);
  });
});
