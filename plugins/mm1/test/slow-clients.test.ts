import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodePdu } from '@openmmsc/codec';
import { openDescriptors, slowPosts, waitFor, type SlowClients } from '@openmmsc/testkit';
import { fakeJpeg, sendReqBytes } from './pdu-bytes.js';
import { postPdu, startRig, type Rig } from './helpers.js';
import { A, B } from './phones.js';

async function mm1Connections(rig: Rig): Promise<number> {
  const text = await (await fetch(`${rig.t.mmsc.adminUrl}/metrics`)).text();
  const m = /openmmsc_listener_connections\{listener="mm1"\} (\d+)/.exec(text);
  return m ? Number(m[1]) : -1;
}

/**
 * Issue 15.4: 500 connections from one address, each sending an m-send-req body a byte at a time
 * (a 30 KB body would take hours), against handsets behind the WAP gateway at another address.
 * Before: every slow connection stayed open and descriptors grew with them.
 */
describe('MM1 under a crowd of slow clients', () => {
  let rig: Rig;
  let slow: SlowClients | undefined;
  before(async () => {
    rig = await startRig({
      bearer: 'direct',
      phones: [{ msisdn: A, mode: 'manual' }, { msisdn: B, mode: 'manual' }],
      mm1: { listener: { headersTimeout: '1s', requestTimeout: '3s', idleTimeout: '1s', maxConnectionsPerAddress: 50 } },
    });
  });
  after(async () => {
    slow?.stop();
    await rig?.stop();
  });

  it('closes the slow ones at the request time-out, caps them per address, and serves the gateway meanwhile', async () => {
    const fdsBefore = openDescriptors();
    slow = await slowPosts({ url: `${rig.url}/mms`, headers: { 'Content-Type': 'application/vnd.wap.mms-message' }, contentLength: 30_000, count: 500, everyMs: 1000 });
    // Over the per-address cap, connections are closed at connect.
    await slow.untilOpenAtMost(50, 'connections over the per-address cap closed', 2000);
    const held = await mm1Connections(rig);
    assert.ok(held <= 50, `the server holds ${held} connections of the crowd`);

    // Normal traffic through the gateway (127.0.0.1, a trusted gateway) is answered at once.
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const res = await postPdu(rig.url, sendReqBytes({ transactionId: `t-slow-${i}`, to: B, text: `hello ${i}`, jpeg: fakeJpeg(3000, i) }), A);
      latencies.push(performance.now() - t0);
      assert.equal(res.status, 200);
      const conf = decodePdu(res.body) as { messageType: string; responseStatus?: string };
      assert.equal(conf.responseStatus, 'ok');
    }
    const worst = Math.max(...latencies);
    assert.ok(worst < 1000, `m-send-conf took up to ${Math.round(worst)} ms under the crowd`);

    // The ones held are cut off at requestTimeout although they keep sending, with 408.
    await slow.untilOpenAtMost(0, 'every slow connection closed', 8000);
    const lasted = slow.longestMs();
    assert.ok(lasted < 6000, `the last slow connection lasted ${lasted} ms (requestTimeout 3 s)`);
    const timedOut = slow.connections.filter((c) => /^HTTP\/1\.1 408 /.test(c.received)).length;
    assert.ok(timedOut >= 40, `${timedOut} connections were answered 408`);
    slow.stop();
    await waitFor('server side closed', async () => (await mm1Connections(rig)) === 0, { timeoutMs: 5000 });
    const fdsAfter = openDescriptors();
    if (fdsBefore !== undefined && fdsAfter !== undefined) assert.ok(fdsAfter - fdsBefore < 20, `descriptors ${fdsBefore} → ${fdsAfter}`);
    console.log(`# MM1 slow clients: 500 from one address, ${held} held by the server, worst m-send-conf ${Math.round(worst)} ms, last closed after ${lasted} ms, descriptors ${fdsBefore} → ${fdsAfter}`);
  });
});
