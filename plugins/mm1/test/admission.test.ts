/**
 * Issue 15.6 and 15.7 in MM1 terms: a node refusing new work for load answers m-send-req with HTTP
 * 503, Retry-After and X-Mms-Response-Status Error-transient-network-problem, while fetches and
 * acknowledgements go on; a sender over its volume limit gets a transient status.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testPlugin } from '@openmmsc/testkit';
import { decodePdu } from '@openmmsc/codec';
import { fakeJpeg, sendReqBytes } from './pdu-bytes.js';
import { startRig, type Rig } from './helpers.js';
import { A, B, C } from './phones.js';

/** Holds every message whose subject is `hold` in the receive stage until released. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const plugin = testPlugin('gate', () => ({
    receive: async (ctx) => {
      if (ctx.message.headers.subject?.text === 'hold') await opened;
    },
  }));
  return { plugin, open };
}

describe('MM1 answers load and volume refusals in its own terms', () => {
  let rig: Rig;
  const g = gate();
  before(async () => {
    rig = await startRig({
      bearer: 'direct',
      phones: [{ msisdn: A, mode: 'manual' }, { msisdn: B, mode: 'manual' }, { msisdn: C, mode: 'manual' }],
      extraPlugins: [g.plugin],
      config: { admission: { maxInFlight: 1 }, limits: { senders: { messages: 2 } }, shutdown: { retrievalGrace: 0 } },
    });
  });
  after(async () => {
    g.open();
    await rig?.stop();
  });

  it('refuses m-send-req with 503, Retry-After and Error-transient-network-problem while busy; fetches and acknowledgements go on', async () => {
    const first = await rig.phone(A).send({ to: B, subject: 'before', text: 'stored before the rush' });
    assert.equal(first.status, 'ok');
    const notification = await rig.phone(B).waitForNotification();

    const held = rig.phone(A).send({ to: B, subject: 'hold', text: 'takes the only slot' });
    await new Promise((r) => setTimeout(r, 200));
    const res = await fetch(`${rig.url}/mms`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.wap.mms-message', 'x-wap-network-client-msisdn': C },
      body: sendReqBytes({ transactionId: 'busy-1', to: B, text: 'now?', jpeg: fakeJpeg(1000) }),
    });
    assert.equal(res.status, 503);
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
    const conf = decodePdu(Buffer.from(await res.arrayBuffer())) as { messageType: string; transactionId?: string; responseStatus?: string; responseText?: { text: string } };
    assert.equal(conf.messageType, 'm-send-conf');
    assert.equal(conf.transactionId, 'busy-1');
    assert.equal(conf.responseStatus, 'error-transient-network-problem');
    assert.match(conf.responseText?.text ?? '', /busy/);

    // Retrievals are never shed.
    const got = await rig.phone(B).fetch(notification);
    assert.equal(got.httpStatus, 200);
    assert.deepEqual(got.texts, ['stored before the rush']);
    assert.equal(await rig.phone(B).acknowledge(got.pdu.transactionId!), 200);

    g.open();
    assert.equal((await held).status, 'ok');
    const metrics = await (await fetch(`${rig.t.mmsc.adminUrl}/metrics`)).text();
    assert.match(metrics, /openmmsc_shed_total\{interface="mm1",reason="in-flight"\} 1/);
  });

  it('a sender over its volume limit gets a transient status, another sender is served', async () => {
    // A has sent 2 messages (the limit) above.
    const over = await rig.phone(A).send({ to: B, subject: 'third', text: 'one too many' });
    assert.equal(over.httpStatus, 200);
    assert.equal(over.status, 'error-transient-failure');
    assert.match(over.text ?? '', /sender \+15550000001 sent more than 2 messages in 1 h/);
    assert.equal((await rig.phone(C).send({ to: B, subject: 'fine', text: 'hi' })).status, 'ok');
  });
});
