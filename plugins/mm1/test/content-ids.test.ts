/**
 * Content-IDs across MM1: a handset writes them as RFC 2392 / WAP-230 want (`<a1>`), the kernel
 * keeps them bare (`a1`, the form a SMIL `cid:a1` names), and the m-retrieve-conf on the wire
 * carries `<a1>` again, as Wireshark reads it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpClient, waitFor } from '@openmmsc/testkit';
import { startRig, type Rig } from './helpers.js';
import { uintvar } from './pdu-bytes.js';
import { dissectAnswer, shown, tsharkMissing } from './tshark.js';
import { A, B } from './phones.js';

const text = (s: string): number[] => [...Buffer.from(s, 'latin1'), 0x00];
const SMIL = '<smil><body><par><img src="cid:a1"/></par></body></smil>';
const IMAGE = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0xff, 0xd9]);

/**
 * m-send-req, MMS 1.2, multipart/related; start="<s1>"; type=application/smil, with a SMIL part
 * (Content-ID "<s1>") that shows `cid:a1` and an image/jpeg part (Content-ID "<a1>").
 */
function sendReq(transactionId: string): Buffer {
  // Content-Type: Value-length, multipart.related (0x33), Start (0x8A) "<s1>", Type (0x89) application/smil
  const ctParams = [0xb3, 0x8a, ...text('<s1>'), 0x89, ...text('application/smil')];
  const headers = [0x8c, 0x80, 0x98, ...text(transactionId), 0x8d, 0x92, 0x89, 0x01, 0x81, 0x97, ...text(`${B}/TYPE=PLMN`), 0x84, ctParams.length, ...ctParams];
  // Content-ID (0xC0) as a Quoted-string: 0x22 then the text.
  const smilHeaders = [...text('application/smil'), 0xc0, 0x22, ...text('<s1>')];
  const jpegHeaders = [0x9e, 0xc0, 0x22, ...text('<a1>'), 0x8e, ...text('photo.jpg')];
  const smil = Buffer.from(SMIL, 'utf8');
  const body = [
    ...uintvar(2),
    ...uintvar(smilHeaders.length), ...uintvar(smil.length), ...smilHeaders, ...smil,
    ...uintvar(jpegHeaders.length), ...uintvar(IMAGE.length), ...jpegHeaders,
  ];
  return Buffer.concat([Buffer.from(headers), Buffer.from(body), IMAGE]);
}

describe('Content-IDs: <a1> on the MM1 wire, a1 in the kernel', () => {
  let rig: Rig;
  const http = new HttpClient(2);
  let messageId: string;
  let conf: Buffer;

  before(async () => {
    rig = await startRig({ bearer: 'direct', phones: [{ msisdn: B, mode: 'manual' }] });
    const res = await http.send(`${rig.url}/mms`, {
      method: 'POST',
      body: sendReq('cid-1'),
      headers: { 'content-type': 'application/vnd.wap.mms-message', 'x-wap-network-client-msisdn': A },
    });
    assert.equal(res.status, 200);
    const push = await waitFor('B notified', () => rig.pushes[0]);
    messageId = push.notification.messageId;
    const got = await http.send(push.notification.contentLocation!, { headers: { 'x-wap-network-client-msisdn': B } });
    assert.equal(got.status, 200);
    conf = got.body;
  });
  after(async () => {
    http.close();
    await rig?.stop();
  });

  it('the kernel keeps the ids and the start bare', async () => {
    const message = await rig.t.mmsc.getMessage(messageId);
    assert.equal(message?.headers.contentType.params.start, 's1');
    const parts = await rig.t.mmsc.getParts(messageId);
    assert.deepEqual(parts?.map((p) => p.contentId), ['s1', 'a1']);
  });

  it('the m-retrieve-conf carries <a1> and start=<s1>, and the SMIL cid:a1 names that part', { skip: tsharkMissing() }, () => {
    const fields = dissectAnswer(conf);
    assert.ok(!fields.some((f) => f.name === '_ws.malformed'), 'Wireshark reads it whole');
    assert.deepEqual(shown(fields, 'wsp.header.content_id'), ['"<s1>"', '"<a1>"']);
    assert.deepEqual(shown(fields, 'wsp.parameter.start'), ['<s1>']);
    // The SMIL comes back as sent: `cid:a1` is RFC 2392's form of the Content-ID <a1>.
    assert.ok(conf.includes(Buffer.from(SMIL, 'utf8')));
  });

  it('the bytes, without Wireshark: Content-ID <a1> written once, never <<a1>>', () => {
    const latin = conf.toString('latin1');
    assert.ok(latin.includes('\xc0"<a1>\x00'));
    assert.ok(!latin.includes('<<'));
  });
});
