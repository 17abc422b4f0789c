/**
 * Content-IDs from MM7 to MM1: a VASP writes `Content-ID: <a1>` and `start="<s1>"`, the kernel
 * keeps `a1` / `s1`, and the handset's m-retrieve-conf carries `<a1>` and `<s1>` again, as
 * Wireshark reads it; the SMIL's `cid:a1` names that part.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mm1 from '@openmmsc/plugin-mm1';
import { recordingPushBearer, requireSystem, startTestMmsc, waitFor, type TestMmsc } from '@openmmsc/testkit';
import { dissectFields } from '@openmmsc/testkit/tshark';
import mm7, { mm7BaseUrl } from '../src/index.js';
import { localPhones, PASSWORD } from './helpers.js';
import { answerFields, basic, GIF_BASE64, rawRequest, soapSubmit } from './raw-http.js';

const SMIL = '<smil><body><par><img src="cid:a1"/></par></body></smil>';

describe('MM7 → MM1 Content-IDs: <a1> on both wires, a1 in the kernel', () => {
  let t: TestMmsc;
  const push = recordingPushBearer();
  let messageId: string;
  let conf: Buffer;

  before(async () => {
    t = await startTestMmsc({ plugins: [localPhones, { plugin: mm1, options: { port: 0 } }, { plugin: mm7, options: { port: 0, vasps: [{ id: 'acme', password: PASSWORD, shortCodes: ['12345'] }] } }, push.plugin] });
    const b = 'cid-boundary';
    const body = [
      `--${b}`, 'Content-Type: text/xml; charset="utf-8"', 'Content-ID: <env>', '', soapSubmit({ to: ['+15550000031'], contentHref: 'cid:payload' }),
      `--${b}`, 'Content-Type: multipart/related; boundary="inner"; type="application/smil"; start="<s1>"', 'Content-ID: <payload>', '',
      '--inner', 'Content-Type: application/smil', 'Content-ID: <s1>', '', SMIL,
      '--inner', 'Content-Type: image/gif', 'Content-ID: <a1>', 'Content-Transfer-Encoding: base64', '', GIF_BASE64,
      '--inner--', `--${b}--`, '',
    ].join('\r\n');
    const res = await rawRequest(`${mm7BaseUrl(t.mmsc)}/mm7`, {
      body,
      headers: { 'Content-Type': `multipart/related; boundary="${b}"; type="text/xml"; start="<env>"`, Authorization: basic('acme', PASSWORD), SOAPAction: '""' },
    });
    const answer = answerFields(res.body);
    assert.equal(answer.code, 1000, res.body);
    messageId = answer.messageId!;
    const notice = await waitFor('the handset notified', () => push.pushes[0]);
    const got = await fetch(notice.notification.contentLocation!, { headers: { 'x-wap-network-client-msisdn': '+15550000031' } });
    assert.equal(got.status, 200);
    conf = Buffer.from(await got.arrayBuffer());
  });
  after(async () => t?.stop());

  it('the kernel keeps the ids and start bare', async () => {
    assert.equal((await t.mmsc.getMessage(messageId))?.headers.contentType.params.start, 's1');
    assert.deepEqual((await t.mmsc.getParts(messageId))?.map((p) => p.contentId), ['s1', 'a1']);
  });

  it('the m-retrieve-conf carries <s1> and <a1>, as Wireshark reads it', { skip: requireSystem('tshark') }, () => {
    const [frame] = dissectFields('mmse', [conf], ['wsp.header.content_id', 'wsp.parameter.start', '_ws.malformed']);
    assert.deepEqual(frame?.['wsp.header.content_id'], ['"<s1>"', '"<a1>"']);
    assert.deepEqual(frame?.['wsp.parameter.start'], ['<s1>']);
    assert.deepEqual(frame?.['_ws.malformed'] ?? [], []);
    assert.ok(conf.includes(Buffer.from(SMIL)), 'the SMIL, with its cid:a1, as the VASP sent it');
  });
});
