import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { requireSystem, waitFor, suiteFixture } from '@openmmsc/testkit';
import { counter, PASSWORD, startHarness, validateEnvelopes } from './helpers.js';
import { answerFields, basic, rawRequest, soapSubmit } from './raw-http.js';

describe('MM7 retransmissions are recognised by the kernel (VASP + TransactionID + content)', () => {
  const emitted: Array<{ release: string; xml: string; label: string }> = [];
  const h = suiteFixture(() => startHarness({ account: { vasIds: ['alerts'] }, accounts: [{ id: 'other', password: 'other-pw', shortCodes: ['5555'] }] }));

  const send = async (label: string, xml: string, user = 'acme', password = PASSWORD) => {
    const res = await rawRequest(h.url, { body: xml, headers: { Authorization: basic(user, password), 'Content-Type': 'text/xml; charset=utf-8' } });
    emitted.push({ release: 'REL-6-MM7-1-4', xml: res.body, label });
    assert.equal(res.status, 200, `${label}: ${res.body}`);
    const f = answerFields(res.body);
    assert.equal(f.code, 1000, `${label}: ${res.body}`);
    assert.equal(f.transactionId, 'dup-7', `${label}: TransactionID echoed`);
    assert.ok(f.messageId, `${label}: MessageID`);
    return f.messageId!;
  };
  const pushesFor = (id: string) => h.pushes.filter((p) => p.notification.messageId === id).length;

  it('a true retransmission gets the first answer; the same TransactionID with another recipient and subject is a new message', async () => {
    const first = soapSubmit({ transactionId: 'dup-7', to: ['+15550000102'], subject: 'first', vasId: 'alerts' });
    const id1 = await send('first', first);
    await waitFor('first notified', () => pushesFor(id1) === 1);

    const retransmissions = await counter(h, 'openmmsc_submissions_total', { interface: 'mm7', status: 'retransmission' });
    const again = await send('true retransmission', first);
    assert.equal(again, id1, 'a true retransmission gets the first MessageID');
    assert.equal(await counter(h, 'openmmsc_submissions_total', { interface: 'mm7', status: 'retransmission' }), retransmissions + 1);

    const id2 = await send('reused id, other message', soapSubmit({ transactionId: 'dup-7', to: ['+15550000103'], subject: 'second', vasId: 'alerts' }));
    assert.notEqual(id2, id1, 'a different message under a reused TransactionID is not dropped');
    const push = await waitFor('second notified', () => h.pushes.find((p) => p.notification.messageId === id2));
    assert.equal(push.to.value, '+15550000103');
    assert.equal((await h.t.mmsc.getMessage(id2))?.headers.subject?.text, 'second');
    await sleep(300);
    assert.equal(pushesFor(id1), 1, 'the retransmission notified nobody again');
  });

  it('TransactionIDs are per VASP: another VASP using the same one gets its own message', async () => {
    const a = await send('acme', soapSubmit({ transactionId: 'dup-7', vaspId: 'acme', vasId: 'alerts', to: ['+15550000104'], subject: 'same' }));
    const b = await send('other', soapSubmit({ transactionId: 'dup-7', vaspId: 'other', to: ['+15550000104'], subject: 'same' }), 'other', 'other-pw');
    assert.notEqual(a, b);
  });

  it('every answer validates against the XSD (xmllint)', { skip: requireSystem('xmllint') }, async () => {
    assert.ok(emitted.length >= 5);
    assert.deepEqual(await validateEnvelopes(emitted), []);
  });
});
