/**
 * What we write, read back by parsers we did not write: Python's `email` package for every mail
 * we send a peer, the handset's MM1 decoder for a message that came in over MM4.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseAddress } from '@openmmsc/core';
import mm1, { mm1Url } from '@openmmsc/plugin-mm1';
import { SimulatedHandset, handsetPushBearer, headerValues as values, rawHeader, readMailWithPython as python, requireSystem, sendSmtp, waitFor } from '@openmmsc/testkit';
import { DOMAIN_A, DOMAIN_B } from './helpers.js';
import { THIRD, forwardReq, startPeerFixture, type PeerFixture } from './peer-fixture.js';

const SUBSCRIBER = '+16660000007';

describe('MM4 mails we write, as other parsers read them', { skip: requireSystem('python3') }, () => {
  let f: PeerFixture;
  let handset: SimulatedHandset;
  const direct = handsetPushBearer('conformance-push');

  before(async () => {
    f = await startPeerFixture({ extraPlugins: [{ plugin: mm1, options: { port: 0 } }], pushPlugin: direct.plugin });
    handset = new SimulatedHandset({ msisdn: SUBSCRIBER, mmscUrl: `${mm1Url(f.t.mmsc)}/mms`, mode: 'immediate' });
    direct.attach(handset);
  });
  after(async () => {
    await handset.close();
    await f.stop();
  });

  const mailOfType = (type: string, transactionOrMessage: string) =>
    waitFor(`${type} at the peer`, () =>
      f.sink.mails.find((m) => rawHeader(m.raw, 'X-Mms-Message-Type') === type && m.raw.toString('latin1').includes(transactionOrMessage)),
    );

  it('an MM4 forward from a peer reaches the handset with Content-IDs matching start', async () => {
    const { raw, transactionId } = forwardReq({ to: `${SUBSCRIBER}/TYPE=PLMN@${DOMAIN_B}`, headers: ['X-Mms-Delivery-Report: Yes', 'X-Mms-Read-Reply: Yes'] });
    const r = await sendSmtp({ port: f.port, localAddress: '127.0.0.2', mailFrom: `system-user@${DOMAIN_A}`, rcptTo: [`${SUBSCRIBER}/TYPE=PLMN@${DOMAIN_B}`], data: raw });
    assert.match(r.data, /^250 /);
    const got = await handset.waitForMessage((m) => m.pdu.subject?.text === 'policy test');
    // The handset's decoder takes the wire's <> off, as the kernel keeps them: bare on both sides.
    const start = got.pdu.body?.contentType.params?.start;
    assert.equal(start, 'smil');
    const smil = got.parts.find((p) => p.contentType.type === 'application/smil');
    assert.equal(smil?.headers?.contentId, start, 'the root part is the one start names, in the same form');
    for (const p of got.parts) assert.match(p.headers?.contentId ?? '', /^[^<>]+$/);

    // The RES, the delivery report and the read reply we send back.
    const res = await mailOfType('MM4_forward.RES', transactionId);
    const dr = await mailOfType('MM4_delivery_report.REQ', transactionId);
    await handset.sendReadReport(got, 'read');
    const rr = await mailOfType('MM4_read_reply_report.REQ', transactionId);
    const views = await python(res.raw, dr.raw, rr.raw);
    for (const [i, v] of views.entries()) {
      const which = ['RES', 'delivery report', 'read reply'][i];
      assert.deepEqual(v.defects, [], `${which}: no defects`);
      assert.ok(v.header_bytes_ascii, `${which}: headers are ASCII`);
      assert.equal(values(v, 'Date').length, 1, `${which}: one Date header`);
      assert.equal(values(v, 'Message-ID').length, 1, `${which}: one Message-ID`);
      assert.deepEqual(values(v, 'X-Mms-Message-ID'), [`<${transactionId}@${DOMAIN_A}>`], `${which}: X-Mms-Message-ID is a msg-id in <>`);
    }
    assert.deepEqual(values(views[1]!, 'X-Mms-MM-Status-Code'), ['Retrieved']);
    assert.deepEqual(values(views[2]!, 'X-Mms-Read-Status'), ['Read']);
  });

  it('a forward we send is well-formed MIME: one Date, ids in <>, start naming the SMIL part', async () => {
    const image = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]);
    const smil = Buffer.from('<smil><body><par><img src="photo.jpg"/></par></body></smil>');
    const sent = await f.t.mmsc.submit({
      message: {
        headers: {
          from: parseAddress('+16660000001'),
          to: [parseAddress('+17770000001')],
          cc: [],
          bcc: [],
          subject: { text: 'Grüße über MM4', charset: 'utf-8' },
          contentType: { type: 'application/vnd.wap.multipart.related', params: { type: 'application/smil', start: 'smil' } },
        },
        parts: [
          { contentType: { type: 'application/smil', params: {} }, contentId: 'smil', contentLocation: 'smil.xml', data: smil },
          { contentType: { type: 'image/jpeg', params: {} }, contentId: 'photo', contentLocation: 'photo.jpg', data: image },
        ],
      },
      origin: { interface: 'api' },
    });
    assert.equal(sent.status, 'accepted');
    const mail = await waitFor('the forward at the third operator', () => f.thirdSink.mails[0]);
    const [v] = await python(mail.raw);
    assert.deepEqual(v!.defects, []);
    assert.ok(v!.header_bytes_ascii);
    assert.equal(values(v!, 'Date').length, 1);
    assert.deepEqual(values(v!, 'Subject'), ['Grüße über MM4']);
    assert.deepEqual(values(v!, 'X-Mms-Message-ID'), [`<${sent.messageId}>`]);
    assert.equal(v!.content_type, 'multipart/related');
    assert.equal(v!.params.start, '<smil>');
    assert.deepEqual(
      v!.parts.map((p) => [p.content_type, p.content_id, p.size]),
      [
        ['application/smil', '<smil>', smil.length],
        ['image/jpeg', '<photo>', image.length],
      ],
    );
    assert.equal(rawHeader(mail.raw, 'To'), `+17770000001/TYPE=PLMN@${THIRD}`);
  });
});
