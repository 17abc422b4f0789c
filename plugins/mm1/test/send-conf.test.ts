import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { definePlugin, verdict, type ReasonCode } from '@openmmsc/core';
import { RESPONSE_STATUS, decodePdu, encodePdu, type MmsPdu } from '@openmmsc/codec';
import { HttpClient, suiteFixture } from '@openmmsc/testkit';
import { REASON_STATUS } from '../src/index.js';
import { startRig } from './helpers.js';
import { A, B } from './phones.js';

const BIG = '+15550000009';

/** Refuses or defers messages whose subject says so (`reject:<code>` / `defer:<code>` / `throw`), and remembers ids. */
const seen = new Map<string, string>();
const verdicts = definePlugin({
  name: 'test-verdicts',
  version: '0.0.0',
  apiVersion: '^1.0.0',
  setup() {
    return {
      receive(ctx) {
        const s = ctx.message.headers.subject?.text ?? '';
        seen.set(s, ctx.id);
        const m = /^(reject|defer):([a-z-]+)$/.exec(s);
        if (m) return m[1] === 'reject' ? verdict.reject(m[2] as ReasonCode, `test ${m[2]}`) : verdict.defer(m[2] as ReasonCode, `test ${m[2]}`);
        if (s === 'throw') throw new Error('boom');
        return undefined;
      },
    };
  },
});

describe('m-send-req → m-send-conf: X-Mms-Response-Status for every outcome', () => {
  const http = new HttpClient(2);
  const rig = suiteFixture(() => startRig({
    bearer: 'direct',
    phones: [{ msisdn: A, mode: 'manual' }, { msisdn: B, mode: 'manual' }, { msisdn: BIG, mode: 'manual' }],
    extraPlugins: [verdicts],
    mm1: { subscribers: [{ msisdn: BIG, sizeClass: 'large' }], limits: { maxBody: '1200KB' } },
  }));
  after(() => http.close());

  it('Ok with a message id, and the message is stored', async () => {
    const r = await rig.phone(A).send({ to: B, subject: 'plain', text: 'hi' });
    assert.equal(r.httpStatus, 200);
    assert.equal(r.status, 'ok');
    assert.equal(r.conf?.transactionId?.startsWith('t'), true);
    assert.ok(await rig.t.mmsc.getMessage(r.messageId!));
  });

  const codes = Object.keys(REASON_STATUS) as ReasonCode[];
  for (const code of codes) {
    it(`reject ${code} → ${REASON_STATUS[code].permanent} (1.2 handset) / ${REASON_STATUS[code].legacy} (1.0 handset); nothing stored`, async () => {
      const modern = await rig.phone(A).send({ to: B, subject: `reject:${code}`, text: 'x' });
      assert.equal(modern.httpStatus, 200);
      assert.equal(modern.status, REASON_STATUS[code].permanent);
      assert.equal(modern.messageId, undefined);
      assert.equal(await rig.t.mmsc.getMessage(seen.get(`reject:${code}`)!), undefined);
      const old = rig.addPhone({ msisdn: A, mmsVersion: '1.0', mode: 'manual' });
      const legacy = await old.send({ to: B, subject: `reject:${code}`, text: 'x' });
      assert.equal(legacy.status, REASON_STATUS[code].legacy);
      assert.ok(RESPONSE_STATUS[legacy.status as keyof typeof RESPONSE_STATUS] <= 0x88);
      rig.phones.splice(rig.phones.indexOf(old), 1);
      await old.close();
    });
  }

  it('deferrals get the transient codes', async () => {
    assert.equal((await rig.phone(A).send({ to: B, subject: 'defer:network-problem', text: 'x' })).status, 'error-transient-network-problem');
    assert.equal((await rig.phone(A).send({ to: B, subject: 'defer:address-unresolved', text: 'x' })).status, 'error-transient-sending-address-unresolved');
    assert.equal((await rig.phone(A).send({ to: B, subject: 'defer:message-not-found', text: 'x' })).status, 'error-transient-message-not-found');
    assert.equal((await rig.phone(A).send({ to: B, subject: 'defer:limit-exceeded', text: 'x' })).status, 'error-transient-failure');
    assert.equal(await rig.t.mmsc.getMessage(seen.get('defer:network-problem')!), undefined);
  });

  it('a plugin that throws → Error-transient-failure, nothing stored', async () => {
    const r = await rig.phone(A).send({ to: B, subject: 'throw', text: 'x' });
    assert.equal(r.status, 'error-transient-failure');
    assert.equal(await rig.t.mmsc.getMessage(seen.get('throw')!), undefined);
  });

  it('an unrouted recipient → Error-permanent-sending-address-unresolved; a malformed one too', async () => {
    assert.equal((await rig.phone(A).send({ to: '+447700900123', text: 'x' })).status, 'error-permanent-sending-address-unresolved');
    const pdu = rig.phone(A).buildSendReq({ to: B, text: 'x' });
    pdu.to = [{ address: 'not a number', type: 'PLMN' }];
    assert.equal((await rig.phone(A).sendPdu(pdu)).status, 'error-permanent-sending-address-unresolved');
    const none = rig.phone(A).buildSendReq({ to: B, text: 'x' });
    delete none.to;
    assert.equal((await rig.phone(A).sendPdu(none)).status, 'error-permanent-sending-address-unresolved');
  });

  it('some recipients refused: Ok, the text names them', async () => {
    const r = await rig.phone(A).send({ to: [B, '+447700900123'], text: 'x' });
    assert.equal(r.status, 'ok');
    assert.match(r.text ?? '', /\+447700900123/);
  });

  it('garbage, a missing transaction id, a foreign PDU type or MMS version 2 are refused in PDU terms', async () => {
    const garbage = await rig.phone(A).sendRaw(Buffer.from('hello, world'));
    assert.equal(garbage.httpStatus, 400);
    assert.equal(garbage.status, 'error-message-format-corrupt');
    const noTid = rig.phone(A).buildSendReq({ to: B, text: 'x' });
    delete noTid.transactionId;
    assert.equal((await rig.phone(A).sendPdu(noTid)).status, 'error-permanent-message-format-corrupt');
    const delivery: MmsPdu = { messageType: 'm-delivery-ind', mmsVersion: '1.2', messageId: 'x', to: [{ address: B, type: 'PLMN' }], date: new Date(), status: 'retrieved' };
    const r = await rig.phone(A).sendPdu(delivery);
    assert.equal(r.httpStatus, 400);
    assert.equal(r.status, 'error-unsupported-message');
    const v2 = rig.phone(A).buildSendReq({ to: B, text: 'x' });
    v2.mmsVersion = '2.0';
    assert.equal((await rig.phone(A).sendRaw(encodePdu(v2, { lenient: true }))).status, 'error-unsupported-message');
  });

  it('sizes: 300 KB by default, 1 MB for the large class, content types as configured', async () => {
    const big = Buffer.alloc(310 * 1024, 1);
    const tooBig = await rig.phone(A).send({ to: B, text: 'x', attachments: [{ contentType: 'image/jpeg', data: big }] });
    assert.equal(tooBig.status, 'error-permanent-content-not-accepted');
    assert.match(tooBig.text ?? '', /at most 307200/);
    const ok = await rig.phone(BIG).send({ to: B, text: 'x', attachments: [{ contentType: 'image/jpeg', data: big }] });
    assert.equal(ok.status, 'ok');
    const huge = await rig.phone(BIG).send({ to: B, text: 'x', attachments: [{ contentType: 'image/jpeg', data: Buffer.alloc(1100 * 1024, 1) }] });
    assert.equal(huge.status, 'error-permanent-content-not-accepted');
    // Above the hard body cap the request is answered before it is read.
    const res = await http.send(`${rig.url}/mms`, { method: 'POST', headers: { 'content-type': 'application/vnd.wap.mms-message', 'x-msisdn': '15550000001' }, body: Buffer.alloc(1300 * 1024) });
    assert.equal(res.status, 413);
    const conf = decodePdu(res.body);
    // The request was not read, so its MMS version is unknown: the 1.0 code, which every handset knows.
    assert.equal(conf.messageType === 'm-send-conf' && conf.responseStatus, 'error-content-not-accepted');
  });
});

describe('sender identity', () => {
  const rig = suiteFixture(() => startRig({ bearer: 'direct', phones: [{ msisdn: A, mode: 'manual' }, { msisdn: B, mode: 'manual' }], mm1: { limits: { contentTypes: ['text/plain', 'image/*'] } } }));

  it('no identity header → Error-service-denied (1.0: 0x82; 1.2: permanent)', async () => {
    const anon = rig.addPhone({ msisdn: '+15550000077', msisdnHeader: null, mode: 'manual' });
    assert.equal((await anon.send({ to: B, text: 'x' })).status, 'error-permanent-service-denied');
    const anon10 = rig.addPhone({ msisdn: '+15550000078', msisdnHeader: null, mode: 'manual', mmsVersion: '1.0' });
    assert.equal((await anon10.send({ to: B, text: 'x' })).status, 'error-service-denied');
  });

  it('X-MSISDN is accepted too; the insert-address token is filled in with the authenticated sender', async () => {
    const alt = rig.addPhone({ msisdn: A, msisdnHeader: 'X-MSISDN', mode: 'manual' });
    const r = await alt.send({ to: B, text: 'x' });
    assert.equal(r.status, 'ok');
    assert.equal((await rig.t.mmsc.getMessage(r.messageId!))?.headers.from.value, A);
  });

  it('a From that differs from the authenticated sender is replaced', async () => {
    const r = await rig.phone(A).send({ to: B, text: 'x', from: '+15559999999' });
    assert.equal(r.status, 'ok');
    const stored = await rig.t.mmsc.getMessage(r.messageId!);
    assert.equal(stored?.headers.from.value, A);
    assert.equal(stored?.origin.peer, A);
  });

  it('content types outside the configured list are refused', async () => {
    const r = await rig.phone(A).send({ to: B, text: 'x', attachments: [{ contentType: 'application/x-msdownload', data: Buffer.from('MZ') }] });
    assert.equal(r.status, 'error-permanent-content-not-accepted');
  });
});

describe('sender identity: strict gateways and refusing a forged From', () => {
  const rig = suiteFixture(() => startRig({ bearer: 'direct', phones: [{ msisdn: A, mode: 'manual' }], mm1: { identity: { fromMismatch: 'reject', trustedGateways: ['10.0.0.0/8'] } } }));

  it('an identity header from an address that is not a WAP gateway is not believed', async () => {
    assert.equal((await rig.phone(A).send({ to: B, text: 'x' })).status, 'error-permanent-service-denied');
  });
});

describe('sender identity: fromMismatch reject', () => {
  const rig = suiteFixture(() => startRig({ bearer: 'direct', phones: [{ msisdn: A, mode: 'manual' }], mm1: { identity: { fromMismatch: 'reject' } } }));

  it('a forged From is refused; the true one and the insert-address token pass', async () => {
    const forged = await rig.phone(A).send({ to: B, text: 'x', from: '+15559999999' });
    assert.equal(forged.status, 'error-permanent-service-denied');
    assert.match(forged.text ?? '', /From/);
    assert.equal((await rig.phone(A).send({ to: B, text: 'x', from: A })).status, 'ok');
    assert.equal((await rig.phone(A).send({ to: B, text: 'x' })).status, 'ok');
  });
});
