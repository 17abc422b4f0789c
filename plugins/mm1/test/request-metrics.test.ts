import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor, suiteFixture } from '@openmmsc/testkit';
import { startRig, postPdu } from './helpers.js';
import { A, B } from './phones.js';

describe('MM1 request metrics', () => {
  const rig = suiteFixture(() => startRig({ phones: [{ msisdn: A }, { msisdn: B }], bearer: 'direct' }));

  it('counts requests by PDU type and status, and times the m-send-conf', async () => {
    const sent = await rig.phone(A).send({ to: B, text: 'metrics' });
    assert.equal(sent.status, 'ok');
    await rig.phone(B).waitForMessage((m) => m.pdu.messageId === sent.messageId);
    // A POST that is no PDU at all (a stranger's bytes) is counted as `other`.
    assert.equal((await postPdu(rig.url, Buffer.from('GET / HTTP/1.0'))).status, 400);
    const scrape = async () => (await fetch(`${rig.t.mmsc.adminUrl}/metrics`)).text();
    // The handset's m-notifyresp-ind / m-acknowledge-ind follows its fetch.
    const text = await waitFor('the handset answered the fetch', async () => {
      const t = await scrape();
      return /openmmsc_mm1_requests_total\{kind="(notifyresp|acknowledge)",status="200"\} 1/.test(t) && t;
    });
    assert.match(text, /openmmsc_mm1_requests_total\{kind="send",status="200"\} 1/);
    assert.match(text, /openmmsc_mm1_requests_total\{kind="retrieve",status="200"\} 1/);
    assert.match(text, /openmmsc_mm1_requests_total\{kind="other",status="400"\} 1/);
    assert.match(text, /openmmsc_mm1_request_duration_seconds_count\{kind="send"\} 1/);
    const sum = Number(/openmmsc_mm1_request_duration_seconds_sum\{kind="send"\} ([\d.e-]+)/.exec(text)?.[1]);
    assert.ok(sum > 0 && sum < 5, `m-send-conf took ${sum} s`);
  });
});
