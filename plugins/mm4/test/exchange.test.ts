import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAddress } from '@openmmsc/core';
import { buildMessage, waitFor } from '@openmmsc/testkit';
import { mm4Stats } from '../src/index.js';
import { DOMAIN_A, DOMAIN_B, freePort, startPair, startSide } from './helpers.js';

describe('MM4 between two MMSCs on loopback', () => {
  it('A → B: forward, MM4_forward.RES, delivery report and read reply flow back to the originator', async () => {
    const { a, b, stop } = await startPair();
    try {
      const sent = await a.t.mmsc.submit({
        message: buildMessage({
          from: '+15550000001',
          to: '+16660000002',
          subject: 'Grüße from A',
          text: 'hello B',
          deliveryReport: true,
          readReport: true,
          parts: [{ contentType: { type: 'image/png', params: {} }, contentId: 'img', contentLocation: 'dot.png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]) }],
        }),
        origin: { interface: 'api' },
      });
      assert.equal(sent.status, 'accepted');

      const notice = await waitFor('B notifies its subscriber', () => b.push.pushes.find((p) => p.to.value === '+16660000002'));
      const idB = notice.notification.messageId;
      const atB = await b.t.mmsc.getMessage(idB);
      assert.equal(atB?.headers.from.value, '+15550000001');
      assert.equal(atB?.headers.subject?.text, 'Grüße from A');
      assert.equal(atB?.headers.deliveryReport, true);
      assert.equal(atB?.origin.interface, 'mm4');
      assert.equal(atB?.origin.peer, DOMAIN_A);
      assert.equal(atB?.origin.attributes?.messageId, sent.messageId);
      const parts = await b.t.mmsc.getParts(idB);
      assert.equal(parts?.length, 2);
      assert.equal(Buffer.from(parts![0]!.data).toString(), 'hello B');
      assert.deepEqual([...parts![1]!.data], [0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
      assert.equal(parts![1]!.contentId, 'img', 'kept bare, the form a SMIL cid: names it');

      const forwarded = await waitFor('A records the peer accepted (MM4_forward.RES Ok)', async () => {
        const [r] = await a.t.mmsc.getRecipients(sent.messageId);
        return r?.state === 'forwarded' && r.attributes.mm4Status === 'Ok' && r;
      });
      assert.equal(forwarded.route?.destination, DOMAIN_B);

      // The handset at B fetches and acknowledges (simulated through the kernel).
      await b.t.mmsc.transition(idB, 0, 'delivered', { by: 'test-handset' });
      const dr = await waitFor('A’s originator gets the delivery report', () => a.api.reports.find((r) => r.kind === 'delivery'));
      assert.equal(dr.status, 'retrieved');
      assert.equal(dr.recipient.value, '+16660000002');
      const [final] = await a.t.mmsc.getRecipients(sent.messageId);
      assert.equal(final?.state, 'delivered');

      await b.t.mmsc.sendReport(idB, { kind: 'read', messageId: idB, recipient: parseAddress('+16660000002'), status: 'read', at: Date.now() });
      const rr = await waitFor('A’s originator gets the read reply', () => a.api.reports.find((r) => r.kind === 'read'));
      assert.equal(rr.status, 'read');
      assert.equal(rr.messageId, sent.messageId);

      await waitFor('B got the RES answers to its reports', () => (mm4Stats(b.t.mmsc)?.reportsSent ?? 0) >= 2 && (mm4Stats(a.t.mmsc)?.responsesSent ?? 0) >= 2 && (mm4Stats(b.t.mmsc)?.responsesSent ?? 0) >= 1);
    } finally {
      await stop();
    }
  });

  it('B → A without reports: delivered once the peer took it; an oversize forward comes back rejected', async () => {
    const { a, b, stop } = await startPair({ mm4A: { server: { maxMessageSize: 4000 } } });
    try {
      const sent = await b.t.mmsc.submit({ message: buildMessage({ from: '+16660000009', to: ['+15550000001', '+15550000002'], text: 'hi A' }), origin: { interface: 'api' } });
      assert.equal(sent.status, 'accepted');
      await waitFor('A notifies both', () => a.push.pushes.length >= 2);
      const recipients = await waitFor('B marks both delivered', async () => {
        const rs = await b.t.mmsc.getRecipients(sent.messageId);
        return rs.every((r) => r.state === 'delivered') && rs;
      });
      assert.equal(recipients.length, 2);

      const big = await b.t.mmsc.submit({
        message: buildMessage({ from: '+16660000009', to: '+15550000001', parts: [{ contentType: { type: 'image/jpeg', params: {} }, data: Buffer.alloc(8000, 7) }] }),
        origin: { interface: 'api' },
      });
      assert.equal(big.status, 'accepted');
      const refused = await waitFor('B rejects the recipient A refused with 552', async () => {
        const [r] = await b.t.mmsc.getRecipients(big.messageId);
        return r?.state === 'rejected' && r;
      });
      assert.match(refused.history.at(-1)?.reason ?? '', /552|size/);
    } finally {
      await stop();
    }
  });

  it('the allow-list refuses a stranger at connect time', async () => {
    const { a, portB, stop } = await startPair();
    try {
      const nodemailer = (await import('nodemailer')).default;
      const stranger = nodemailer.createTransport({ host: '127.0.0.1', port: portB, localAddress: '127.0.0.9', ignoreTLS: true, connectionTimeout: 3000 });
      const err = await stranger.sendMail({ envelope: { from: `system-user@${DOMAIN_A}`, to: [`+16660000002/TYPE=PLMN@${DOMAIN_B}`] }, raw: 'X-Mms-Message-Type: MM4_forward.REQ\r\n\r\nx' }).then(
        () => undefined,
        (e: { response?: string }) => e,
      );
      stranger.close();
      assert.match(err?.response ?? '', /^554 .*not a configured MM4 peer/);
      assert.ok(a, 'A stays fine');
    } finally {
      await stop();
    }
  });

  it('a forward is retried until the peer is reachable', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = await startSide('A', portA, portB);
    let b: Awaited<ReturnType<typeof startSide>> | undefined;
    try {
      const sent = await a.t.mmsc.submit({ message: buildMessage({ from: '+15550000001', to: '+16660000002', text: 'late' }), origin: { interface: 'api' } });
      await waitFor('a failed attempt', async () => {
        const [r] = await a.t.mmsc.getRecipients(sent.messageId);
        return r?.state === 'charged' && (mm4Stats(a.t.mmsc)?.forwarded ?? 0) === 0 && Date.now();
      });
      await new Promise((r) => setTimeout(r, 400));
      b = await startSide('B', portA, portB);
      await waitFor('B finally gets it', () => b!.push.pushes.find((p) => p.to.value === '+16660000002'), { timeoutMs: 15_000 });
      await waitFor('A marks it delivered', async () => (await a.t.mmsc.getRecipients(sent.messageId))[0]?.state === 'delivered');
    } finally {
      await a.t.stop();
      await b?.t.stop();
    }
  });
});
