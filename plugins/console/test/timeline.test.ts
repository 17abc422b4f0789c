import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@openmmsc/testkit';
import { startConsoleRig, type ConsoleRig } from './mm1-rig.js';
import { login } from './rig.js';

const A = '+15550000001';
const B = '+15550000002';

interface Api {
  recipients: Array<{ state: string; history: Array<{ state: string; event?: string; by: string; reason?: string; node?: string }> }>;
}

describe('what the timeline records that the kernel did not before', () => {
  let rig: ConsoleRig;
  before(async () => {
    rig = await startConsoleRig({ phones: [A, B] });
  });
  after(async () => rig?.stop());

  it("a push the SMSC refused (with its error), the push it took (with its message id), the fetch and the report to the sender", async () => {
    // The SMSC answers the first submit_sm with ESME_RSYSERR (0x08): a temporary failure, retried.
    rig.smsc.failNext(1, 0x08);
    const sent = await rig.phone(A).send({ to: B, text: 'tell me everything', deliveryReport: true });
    assert.equal(sent.status, 'ok');
    await rig.phone(A).waitForDeliveryReport((r) => r.messageId === sent.messageId);
    const s = await login(rig.base, 'victor');
    const api = async () => (await (await fetch(`${rig.base}/api/messages/${sent.messageId}`, { headers: { cookie: s.cookie } })).json()) as Api;
    const history = await waitFor('report recorded', async () => {
      const h = (await api()).recipients[0]!.history;
      return h.some((e) => e.event === 'delivery-report-sent') && h;
    });
    const failed = history.find((e) => e.event === 'push-failed');
    assert.ok(failed, JSON.stringify(history));
    assert.match(failed.reason ?? '', /ESME_RSYSERR|system error|0x0*8/i);
    const pushed = history.find((e) => e.state === 'notified' && !e.event)!;
    const smscIds = rig.smsc.submits.filter((x) => x.destinationAddr.endsWith('15550000002')).map((x) => x.messageId);
    assert.ok(smscIds.some((id) => pushed.reason?.includes(id)), `${pushed.reason} names one of ${smscIds.join(', ')}`);
    assert.ok(history.some((e) => e.state === 'retrieved' && e.by === '@openmmsc/plugin-mm1'));
    const report = history.find((e) => e.event === 'delivery-report-sent')!;
    assert.equal(report.by, 'mm1');
    assert.equal(report.reason, 'retrieved');
    assert.ok(history.every((e) => typeof e.node === 'string' && e.node.length > 0), 'every entry names its node');
  });
});
