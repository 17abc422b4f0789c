/**
 * Content-IDs across MM4: a peer writes `<a1>` and `start="<s1>"`, the kernel keeps `a1` and
 * `s1` (the form a SMIL `cid:a1` names), and a forward we send writes them as `<a1>` again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildMessage, suiteFixture, waitFor } from '@openmmsc/testkit';
import { forwardReq, startPeerFixture } from './peer-fixture.js';

const SMIL = '<smil><body><par><img src="cid:a1"/></par></body></smil>';

describe('MM4 Content-IDs: <a1> on the wire, a1 in the kernel', () => {
  const f = suiteFixture(() => startPeerFixture());

  it('a forward in: ids and start bare in the kernel, the SMIL untouched', async () => {
    const { raw } = forwardReq({
      contentType: 'Content-Type: multipart/related; type="application/smil"; start="<s1>"; boundary="b-1"',
      body: ['--b-1', 'Content-Type: application/smil', 'Content-ID: <s1>', '', SMIL, '--b-1', 'Content-Type: image/gif', 'Content-ID: <a1>', 'Content-Transfer-Encoding: base64', '', 'R0lGODlhAQABAAAAACw=', '--b-1--', ''].join('\r\n'),
    });
    assert.match((await f.send(raw)).data, /^250 /);
    const push = await waitFor('the subscriber notified', () => f.push.pushes[0]);
    const id = push.notification.messageId;
    assert.equal((await f.t.mmsc.getMessage(id))?.headers.contentType.params.start, 's1');
    const parts = await f.t.mmsc.getParts(id);
    assert.deepEqual(parts?.map((p) => p.contentId), ['s1', 'a1']);
    assert.equal(Buffer.from(parts![0]!.data).toString(), SMIL);
  });

  it('a forward out: Content-ID: <a1> and start="<s1>" on the wire, once', async () => {
    // A multipart/related whose root is the SMIL: built on testkit's message, without its text part.
    const message = buildMessage({ from: '+16660000001', to: '+17770000001' });
    message.headers.contentType = { type: 'application/vnd.wap.multipart.related', params: { type: 'application/smil', start: 's1' } };
    message.parts = [
      { contentType: { type: 'application/smil', params: {} }, contentId: 's1', data: Buffer.from(SMIL) },
      { contentType: { type: 'image/gif', params: {} }, contentId: 'a1', data: Buffer.from('GIF89a') },
    ];
    const sent = await f.t.mmsc.submit({ message, origin: { interface: 'api' } });
    assert.equal(sent.status, 'accepted');
    const mail = (await waitFor('the forward at the third operator', () => f.thirdSink.mails[0])).raw.toString('latin1');
    assert.match(mail, /start="?<s1>"?/);
    assert.match(mail, /\r\nContent-ID: <a1>\r\n/i);
    assert.match(mail, /\r\nContent-ID: <s1>\r\n/i);
    assert.doesNotMatch(mail, /<</);
  });
});
