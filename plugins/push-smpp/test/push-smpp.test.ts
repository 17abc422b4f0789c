import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseUdh } from '@openmmsc/codec';
import { decodeNotification, reassembleSubmits, SimulatedSmsc, waitFor, whileRunning } from '@openmmsc/testkit';
import { link, mmscWith, notified, recipientState, send } from './helpers.js';

describe('push-smpp: WAP Push over SMPP', () => {
  let smsc: SimulatedSmsc;
  before(async () => {
    smsc = new SimulatedSmsc({ systemId: 'mmsc', password: 'secret' });
    await smsc.start();
  });
  after(async () => {
    await smsc.stop();
  });

  it('binds with the configured credentials and sends the notification as one binary SMS', async () => {
    await whileRunning(mmscWith([smsc.port]), async ({ t }) => {
      assert.equal(smsc.boundSessions, 1);
      const bind = smsc.binds.at(-1)!;
      assert.deepEqual([bind.mode, bind.systemId, bind.password, bind.systemType, bind.interfaceVersion], ['transceiver', 'mmsc', 'secret', 'WAP', 0x34]);
      const before = smsc.submits.length;
      const id = await send(t, '+15550000002');
      const r = await notified(t, id);
      const subs = smsc.submits.slice(before);
      assert.equal(subs.length, 1);
      const sms = subs[0]!;
      assert.equal(sms.destinationAddr, '15550000002');
      assert.equal(sms.destTon, 1);
      assert.equal(sms.destNpi, 1);
      assert.equal(sms.sourceAddr, '1234');
      assert.equal(sms.sourceTon, 6);
      assert.equal(sms.esmClass, 0x40);
      assert.equal(sms.dataCoding, 0x04);
      assert.equal(sms.registeredDelivery, 1);
      assert.deepEqual([...sms.shortMessage.subarray(0, 7)], [0x06, 0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0]);
      const { udh, payload } = parseUdh(sms.shortMessage);
      assert.deepEqual(udh.ports, { destination: 2948, source: 9200, ports16bit: true });
      assert.equal(udh.concat, undefined);
      const { push, pdu } = decodeNotification(payload);
      assert.equal(push.applicationId, 'x-wap-application:mms.ua');
      assert.equal(pdu.messageType, 'm-notification-ind');
      assert.equal(pdu.transactionId, `T${id}`);
      assert.equal(pdu.contentLocation, `http://mmsc.test/m/${id}`);
      assert.equal(r.attributes.pushReference, sms.messageId);
      assert.equal(await t.mmsc.registry.getSingleMetricAsString('openmmsc_smpp_link_bound').then((s) => /link_bound\{link="127\.0\.0\.1:\d+"\} 1/.test(s)), true);
    });
    await waitFor('the link unbound on close', () => smsc.boundSessions === 0);
  });

  it('concatenates a notification longer than one SMS (8-bit reference, sequence 1..n)', async () => {
    await whileRunning(mmscWith([smsc.port], {}, 300), async ({ t }) => {
      const before = smsc.submits.length;
      const id = await send(t, '+15550000003');
      await notified(t, id);
      const subs = smsc.submits.slice(before);
      assert.ok(subs.length >= 3, `${subs.length} segments`);
      const refs = new Set<number>();
      subs.forEach((s, i) => {
        assert.equal(s.esmClass, 0x40);
        assert.equal(s.dataCoding, 0x04);
        assert.ok(s.shortMessage.length <= 140);
        const { udh } = parseUdh(s.shortMessage);
        assert.equal(udh.concat?.reference16bit, false);
        assert.equal(udh.concat?.total, subs.length);
        assert.equal(udh.concat?.sequence, i + 1);
        assert.deepEqual(udh.ports, { destination: 2948, source: 9200, ports16bit: true });
        refs.add(udh.concat!.reference);
      });
      assert.equal(refs.size, 1);
      const got = reassembleSubmits(subs).get('15550000003');
      assert.equal(got?.length, 1);
      assert.equal(got[0]!.segments, subs.length);
      const { pdu } = decodeNotification(got[0]!.payload);
      assert.equal(pdu.contentLocation, `http://mmsc.test/m/${id}?pad=${'x'.repeat(300)}`);
    });
  });

  it('uses 16-bit references and the +international format when configured', async () => {
    await whileRunning(mmscWith([smsc.port], { concatReference: '16bit', numberFormat: 'international-plus', registeredDelivery: false }, 200), async ({ t }) => {
      const before = smsc.submits.length;
      const id = await send(t, '+15550000004');
      await notified(t, id);
      const subs = smsc.submits.slice(before);
      assert.ok(subs.length >= 2);
      for (const s of subs) {
        assert.equal(s.destinationAddr, '+15550000004');
        assert.equal(s.registeredDelivery, 0);
        assert.equal(parseUdh(s.shortMessage).udh.concat?.reference16bit, true);
      }
      const got = reassembleSubmits(subs).get('+15550000004');
      assert.equal(decodeNotification(got![0]!.payload).pdu.transactionId, `T${id}`);
    });
  });

  it('retries after ESME_RTHROTTLED and delivers, pausing the link', async () => {
    await whileRunning(mmscWith([smsc.port], { throttleRetryMs: 150 }), async ({ t }) => {
      const refusedBefore = smsc.refused.length;
      const before = smsc.submits.length;
      smsc.throttleNext(2);
      const id = await send(t, '+15550000005');
      const r = await notified(t, id);
      const refused = smsc.refused.slice(refusedBefore);
      assert.equal(refused.length, 2);
      assert.ok(refused.every((x) => x.status === 0x58));
      // The pause is honoured: the accepted try came at least throttleRetryMs after the first refusal.
      const ok = smsc.submits.slice(before).filter((x) => x.destinationAddr === '15550000005');
      assert.equal(ok.length, 1);
      assert.ok(ok[0]!.at - refused[0]!.at >= 140, `${ok[0]!.at - refused[0]!.at} ms`);
      assert.equal(r.attributes.pushReference, ok[0]!.messageId);
      const metric = await t.mmsc.registry.getSingleMetricAsString('openmmsc_smpp_submits_total');
      assert.match(metric, /outcome="throttled"\} 2/);
      assert.match(metric, /outcome="ok"\} 1/);
    });
  });

  it('rejects the recipient with the SMSC status on a permanent error', async () => {
    await whileRunning(mmscWith([smsc.port]), async ({ t }) => {
      smsc.failNext(1, 0x0b);
      const id = await send(t, '+15550000006');
      const r = await waitFor('recipient rejected', async () => {
        const x = await recipientState(t, id);
        return x?.state === 'rejected' ? x : undefined;
      });
      const last = r.history.at(-1)!;
      assert.equal(last.by, '@openmmsc/plugin-push-smpp');
      assert.match(last.reason ?? '', /ESME_RINVDSTADR \(0x0000000B, invalid destination address\)/);
      assert.match(await t.mmsc.registry.getSingleMetricAsString('openmmsc_smpp_pushes_total'), /result="failed"\} 1/);
    });
  });

  it('treats statuses listed in retryStatuses as temporary', async () => {
    await whileRunning(mmscWith([smsc.port], { retryStatuses: [0x45] }), async ({ t }) => {
      smsc.failNext(1, 0x45);
      const id = await send(t, '+15550000007');
      await notified(t, id);
    });
  });

  it('loses nothing when the SMSC drops the link mid-batch and comes back', async () => {
    await whileRunning(mmscWith([smsc.port]), async ({ t }) => {
      const before = smsc.submits.length;
      const numbers = Array.from({ length: 24 }, (_, i) => `+1555000${String(1000 + i)}`);
      let dropped = false;
      const onSubmit = () => {
        if (!dropped && smsc.submits.length - before >= 6) {
          dropped = true;
          smsc.outage(300);
        }
      };
      smsc.on('submit', onSubmit);
      const ids = await Promise.all(numbers.map((n) => send(t, n)));
      for (const id of ids) await notified(t, id);
      smsc.off('submit', onSubmit);
      assert.ok(dropped, 'the link was dropped during the batch');
      assert.ok(smsc.binds.filter((b) => b.accepted).length >= 2, 'the plugin bound again');
      const got = reassembleSubmits(smsc.submits.slice(before));
      numbers.forEach((n, i) => {
        const list = got.get(n.slice(1));
        assert.ok(list?.length, `notification for ${n} arrived`);
        assert.ok(list.some((x) => decodeNotification(x.payload).pdu.transactionId === `T${ids[i]}`));
      });
      assert.equal(smsc.boundSessions, 1);
    });
  });

  it('keeps at most `window` submit_sm unacknowledged', async () => {
    smsc.responseDelayMs = 60;
    const { t } = await mmscWith([smsc.port], { links: [link(smsc.port, { window: 3 })] }, 300);
    try {
      const before = smsc.submits.length;
      const peakBefore = smsc.maxInFlight;
      const ids = await Promise.all(['+15550002001', '+15550002002', '+15550002003'].map((n) => send(t, n)));
      for (const id of ids) await notified(t, id);
      assert.ok(smsc.submits.length - before >= 9);
      assert.ok(peakBefore <= 3);
      assert.equal(smsc.maxInFlight, 3);
    } finally {
      smsc.responseDelayMs = 0;
      await t.stop();
    }
  });

  it('honours the rate limit per link', async () => {
    const { t } = await mmscWith([smsc.port], { links: [link(smsc.port, { ratePerSecond: 20 })] });
    try {
      const before = smsc.submits.length;
      const numbers = Array.from({ length: 12 }, (_, i) => `+1555000${3000 + i}`);
      const ids = await Promise.all(numbers.map((n) => send(t, n)));
      for (const id of ids) await notified(t, id);
      const subs = smsc.submits.slice(before);
      assert.equal(subs.length, 12);
      // 20/s with bursts of 2: 12 submits take at least (12 - 2) × 50 ms.
      const span = subs.at(-1)!.at - subs[0]!.at;
      assert.ok(span >= 450, `12 submits in ${span} ms`);
    } finally {
      await t.stop();
    }
  });

  it('records delivery receipts against the notification', async () => {
    await whileRunning(mmscWith([smsc.port]), async ({ t }) => {
      const before = smsc.submits.length;
      const id = await send(t, '+15550000008');
      await notified(t, id);
      const sms = smsc.submits[before]!;
      assert.equal(await smsc.sendDeliveryReceipt(sms.messageId, 'DELIVRD'), true);
      const r = await waitFor('receipt noted on the recipient', async () => {
        const x = await recipientState(t, id);
        return x?.attributes.pushReceipt ? x : undefined;
      });
      assert.equal(r.attributes.pushReceipt, 'DELIVRD');
      assert.match(await t.mmsc.registry.getSingleMetricAsString('openmmsc_smpp_delivery_receipts_total'), /stat="DELIVRD"\} 1/);
      // A receipt for an id nobody sent is answered and counted, not fatal.
      smsc.submits.push({ ...sms, messageId: 'ffffffff' });
      assert.equal(await smsc.sendDeliveryReceipt('ffffffff', 'UNDELIV'), true);
      await waitFor('second receipt counted', async () =>
        /stat="UNDELIV"\} 1/.test(await t.mmsc.registry.getSingleMetricAsString('openmmsc_smpp_delivery_receipts_total')),
      );
    });
  });

  it('sends text SMS in GSM 7-bit or UCS-2, concatenated when long', async () => {
    await whileRunning(mmscWith([smsc.port]), async ({ t, bearer }) => {
      const n = { messageId: 'text-1', recipient: t.mmsc.parseAddress('+15550000009'), size: 0, expiry: new Date(Date.now() + 60_000), kind: 'message' as const };
      const to = n.recipient;
      const signal = new AbortController().signal;
      let before = smsc.submits.length;
      const short = await bearer().push({ to, notification: n, text: 'Hello {world} 100€' }, signal);
      assert.equal(short.status, 'sent');
      let subs = smsc.submits.slice(before);
      assert.equal(subs.length, 1);
      assert.equal(subs[0]!.dataCoding, 0);
      assert.equal(subs[0]!.esmClass, 0);
      // GSM 03.38: { } and € go through the extension table (escape 0x1B).
      assert.deepEqual([...subs[0]!.shortMessage.subarray(6, 8)], [0x1b, 0x28]);
      assert.equal(subs[0]!.shortMessage.length, 'Hello {world} 100€'.length + 3);

      before = smsc.submits.length;
      const long = 'x'.repeat(400);
      assert.equal((await bearer().push({ to, notification: n, text: long }, signal)).status, 'sent');
      subs = smsc.submits.slice(before);
      assert.equal(subs.length, 3); // 153 + 153 + 94
      subs.forEach((s, i) => {
        assert.equal(s.esmClass, 0x40);
        assert.equal(s.dataCoding, 0);
        const { udh, payload } = parseUdh(s.shortMessage);
        assert.equal(udh.concat?.sequence, i + 1);
        assert.equal(payload.length, i < 2 ? 153 : 94);
      });

      before = smsc.submits.length;
      const cyr = 'Привет, это длинное сообщение. '.repeat(3);
      assert.equal((await bearer().push({ to, notification: n, text: cyr }, signal)).status, 'sent');
      subs = smsc.submits.slice(before);
      assert.equal(subs.length, 2);
      const text = subs.map((s) => Buffer.from(parseUdh(s.shortMessage).payload).swap16().toString('utf16le')).join('');
      assert.equal(text, cyr);
      assert.ok(subs.every((s) => s.dataCoding === 0x08 && s.esmClass === 0x40));
    });
  });

  it('fails pushes to addresses SMS cannot reach, and requests with nothing to send', async () => {
    await whileRunning(mmscWith([smsc.port]), async ({ t, bearer }) => {
      const signal = new AbortController().signal;
      const n = { messageId: 'x', recipient: t.mmsc.parseAddress('user@example.com'), size: 0, expiry: new Date(), kind: 'message' as const };
      const r1 = await bearer().push({ to: n.recipient, notification: n, pdu: new Uint8Array([1, 6, 0]) }, signal);
      assert.deepEqual(r1, { status: 'failed', reason: 'SMS cannot reach email address user@example.com' });
      const to = t.mmsc.parseAddress('+15550000010');
      const r2 = await bearer().push({ to, notification: { ...n, recipient: to } }, signal);
      assert.equal(r2.status, 'failed');
      assert.match(r2.status === 'failed' ? r2.reason : '', /nothing to send/);
    });
  });
});
