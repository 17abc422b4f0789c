/**
 * Issue 15.4 and 15.7 for MM7: slow clients are capped and cut off while a VASP is served, and a
 * node refusing new work for load answers 503 / 4006 with Retry-After before reading the body.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDescriptors, slowPosts, type SlowClients, suiteFixture } from '@openmmsc/testkit';
import { PASSWORD, startHarness, type Mm7Harness } from './helpers.js';
import { answerFields, basic, rawRequest, soapSubmit } from './raw-http.js';

describe('MM7 under slow clients', () => {
  let h: Mm7Harness;
  let slow: SlowClients | undefined;
  before(async () => {
    h = await startHarness({
      plugin: { listener: { headersTimeout: '1s', requestTimeout: '2s', idleTimeout: '1s', maxConnectionsPerAddress: 20 } },
      config: { shutdown: { retrievalGrace: 0 } },
    });
  });
  after(async () => {
    slow?.stop();
    await h?.stop();
  });

  it('caps and cuts off 300 slow SOAP posts from one address; the VASP at another is served meanwhile', async () => {
    const fdsBefore = openDescriptors();
    const headers = { Authorization: basic('acme', PASSWORD), 'Content-Type': 'text/xml' };
    slow = await slowPosts({ url: `${h.base}/mm7`, headers, contentLength: 100_000, firstBytes: '<?xml', count: 300, everyMs: 500 });
    await slow.untilOpenAtMost(20, 'the crowd capped', 2000);
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const r = await rawRequest(h.url, { body: soapSubmit({ transactionId: `load-${i}` }), headers: { Authorization: basic('acme', PASSWORD), 'Content-Type': 'text/xml' } });
      assert.equal(r.status, 200, r.body);
      assert.equal(answerFields(r.body).code, 1000);
      assert.ok(performance.now() - t0 < 1000);
    }
    await slow.untilOpenAtMost(0, 'every slow post cut off', 6000);
    const lasted = slow.longestMs();
    assert.ok(lasted < 5000, `the last slow post lasted ${lasted} ms (requestTimeout 2 s)`);
    const faults = slow.connections.filter((c) => /^HTTP\/1\.1 408 /.test(c.received) && /<(?:\w+:)?StatusCode>2007</.test(c.received)).length;
    assert.ok(faults >= 15, `${faults} were answered 408 with an MM7 2007 fault`);
    slow.stop();
    await new Promise((r) => setTimeout(r, 300));
    const fdsAfter = openDescriptors();
    if (fdsBefore !== undefined && fdsAfter !== undefined) assert.ok(fdsAfter - fdsBefore < 20, `descriptors ${fdsBefore} → ${fdsAfter}`);
  });
});

describe('MM7 while the node refuses new work', () => {
  // A watermark above any real disk's free space: the node is "short of storage" from the start.
  const h = suiteFixture(() => startHarness({ config: { admission: { minFreeDisk: '1000000GB' }, shutdown: { retrievalGrace: 0 } } }));

  it('answers a SubmitReq 503 with a 4006 fault and Retry-After before its body has arrived', async () => {
    // Only the head and a few bytes of a 5 MB body are sent: the answer must not wait for the rest.
    const r = await rawRequest(h.url, { body: '<?xml version="1.0"?>', contentLength: 5_000_000, headers: { Authorization: basic('acme', PASSWORD), 'Content-Type': 'text/xml' }, timeout: 3000 });
    assert.equal(r.status, 503);
    assert.ok(Number(r.headers['retry-after']) >= 1);
    assert.equal(r.headers.connection, 'close');
    assert.equal(answerFields(r.body).code, 4006);
    assert.match(r.body, /short of storage/);
  });

  it('answers the JSON API the same way', async () => {
    const r = await rawRequest(`${h.base}/api/v1/messages`, { body: '{"to":', contentLength: 1_000_000, headers: { Authorization: basic('acme', PASSWORD), 'Content-Type': 'application/json' }, timeout: 3000 });
    assert.equal(r.status, 503);
    assert.ok(Number(r.headers['retry-after']) >= 1);
    assert.equal((JSON.parse(r.body) as { error: { code: string } }).error.code, 'network-problem');
    const metrics = await h.t.mmsc.registry.metrics();
    assert.match(metrics, /openmmsc_shed_total\{interface="mm7",reason="disk-space"\} 2/);
  });
});
