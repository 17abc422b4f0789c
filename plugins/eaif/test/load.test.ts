/**
 * Issue 15.4 and 15.7 for EAIF: slow clients are capped per address and cut off at the request
 * time-out while an application is served; a node refusing new work answers 503 + Retry-After
 * before reading the body.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { slowPosts, type SlowClients, suiteFixture } from '@openmmsc/testkit';
import { AUTH, eaifHeaders, startHarness, type Harness } from './harness.js';
import { LITERAL_SEND_REQ } from './pdu-bytes.js';
import { post, rawExchange } from './wire.js';

describe('EAIF under slow clients', () => {
  let h: Harness;
  let slow: SlowClients | undefined;
  before(async () => {
    h = await startHarness({
      plugin: { listener: { headersTimeout: '1s', requestTimeout: '2s', maxConnectionsPerAddress: 10 } },
      config: { shutdown: { retrievalGrace: 0 } },
    });
  });
  after(async () => {
    slow?.stop();
    await h?.stop();
  });

  it('caps and cuts off 200 slow posts from one address while the application is served', async () => {
    const headers = { Authorization: AUTH, 'Content-Type': 'application/vnd.wap.mms-message' };
    slow = await slowPosts({ url: h.url, headers, contentLength: 50_000, count: 200, everyMs: 500 });
    await slow.untilOpenAtMost(10, 'the crowd capped', 2000);
    const res = await post(h.url, eaifHeaders(), LITERAL_SEND_REQ);
    assert.equal(res.status, 204, res.body);
    await slow.untilOpenAtMost(0, 'every slow post cut off', 6000);
    assert.ok(slow.longestMs() < 5000);
    assert.ok(slow.connections.filter((c) => /^HTTP\/1\.1 408 /.test(c.received)).length >= 8, 'the held ones were answered 408');
  });
});

describe('EAIF while the node refuses new work', () => {
  const h = suiteFixture(() => startHarness({ config: { admission: { minFreeDisk: '1000000GB' }, shutdown: { retrievalGrace: 0 } } }));

  it('answers 503 with Retry-After before the body has arrived', async () => {
    const url = new URL(h.url);
    // The head announces a large body; only a few bytes follow, and our side stays open.
    const head = `POST ${url.pathname} HTTP/1.1\r\nHost: mmsc\r\nAuthorization: ${AUTH}\r\nContent-Type: application/vnd.wap.mms-message\r\nContent-Length: 3000000\r\n\r\n`;
    const answer = await rawExchange(h.url, head, Uint8Array.from([0x8c, 0x80]), { halfClose: false });
    assert.match(answer, /^HTTP\/1\.1 503 /);
    assert.match(answer, /\r\nretry-after: \d+\r\n/i);
    assert.match(answer, /short of storage/);
  });
});
