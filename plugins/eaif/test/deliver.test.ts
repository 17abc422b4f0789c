import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildMessage, waitFor, suiteFixture } from '@openmmsc/testkit';
import { requireSystem } from '@openmmsc/testkit/system';
import { startHarness } from './harness.js';
import { assertMmse, basic, post, type Received } from './wire.js';

const skip = requireSystem('tshark');

describe('EAIF delivery: MMSC → application', { skip }, () => {
  const h = suiteFixture(() => startHarness({
    accounts: (url) => [
      { id: 'quiz', password: 'quiz-secret', shortCodes: ['4444'], url: `${url}/quiz`, deliverAs: 'm-retrieve-conf', mmsVersion: '1.3', version: '2.0' },
      { id: 'silent', password: 'silent-secret', shortCodes: ['5555'] },
    ],
  }));

  /** A handset's message to a short code, as MM1 would submit it. */
  async function mo(to: string, subject: string, text = 'YES'): Promise<string> {
    const res = await h.t.mmsc.submit({ message: buildMessage({ from: '+15550000001', to, subject, text }), origin: { interface: 'mm1', peer: '+15550000001' } });
    assert.equal(res.status, 'accepted');
    return res.messageId;
  }

  const requestFor = (id: string, path = '/mo') => waitFor(`POST ${path} for ${id}`, () => h.app.received.find((r) => r.url === path && r.headers['x-nokia-mmsc-message-id'] === id));
  const stateOf = async (id: string) => (await h.t.mmsc.getRecipients(id))[0]!;

  it('POSTs a handset\'s message to the application\'s short code as an m-send-req with the EAIF headers, which tshark reads', async () => {
    const id = await mo('12345', 'vote');
    const req: Received = await requestFor(id);
    assert.equal(req.method, 'POST');
    assert.equal(req.headers['content-type'], 'application/vnd.wap.mms-message');
    assert.equal(req.headers['x-nokia-mmsc-message-type'], 'MultiMediaMessage');
    assert.equal(req.headers['x-nokia-mmsc-from'], '+15550000001/TYPE=PLMN');
    assert.equal(req.headers['x-nokia-mmsc-to'], '12345/TYPE=PLMN');
    assert.equal(req.headers['x-nokia-mmsc-version'], '3.0');
    assert.equal(req.headers.authorization, basic('mmsc', 'to-app'));
    assert.ok(req.rawHeaders.includes('X-NOKIA-MMSC-Message-Type'), 'headers spelt as the Nokia MMSC does');

    const d = assertMmse(req.wire(), 'm-send-req', {
      message_type: ['0x80'],
      transaction_id: [id],
      mms_version: ['1.2'],
      from: ['+15550000001/TYPE=PLMN'],
      to: ['12345/TYPE=PLMN'],
      subject: ['vote'],
    });
    assert.ok(d.field('wsp.header.content_type').includes('text/plain'), 'the text part is in the body');
    assert.match(JSON.stringify(d.mmse), /"data-text-lines":\{"YES"/, 'with its text');
    await waitFor('delivered', async () => (await stateOf(id)).state === 'delivered');
  });

  it('a message with a large image goes out whole, with its Content-Length (its parts are sent as stored, not joined)', async () => {
    const image = Buffer.alloc(200_000);
    for (let i = 0; i < image.length; i++) image[i] = (i * 131 + 7) & 0xff;
    const message = buildMessage({ from: '+15550000001', to: '12345', subject: 'photo', text: 'see', parts: [{ contentType: { type: 'image/jpeg', params: {} }, contentLocation: 'p.jpg', data: image }] });
    const res = await h.t.mmsc.submit({ message, origin: { interface: 'mm1', peer: '+15550000001' } });
    assert.equal(res.status, 'accepted');
    const req = await requestFor(res.messageId);
    assert.equal(req.headers['transfer-encoding'], undefined);
    assert.equal(Number(req.headers['content-length']), req.body.length);
    assertMmse(req.wire(), 'm-send-req', { message_type: ['0x80'], subject: ['photo'] });
    assert.ok(req.body.includes(image), 'the image, byte for byte');
    await waitFor('delivered', async () => (await stateOf(res.messageId)).state === 'delivered');
  });

  it('sends m-retrieve-conf, its MMS and EAIF versions to an application configured for them', async () => {
    const id = await mo('4444', 'quiz');
    const req = await requestFor(id, '/quiz');
    assert.equal(req.headers['x-nokia-mmsc-version'], '2.0');
    assert.equal(req.headers.authorization, undefined, 'no outbound credentials configured');
    assertMmse(req.wire(), 'm-retrieve-conf', { message_type: ['0x84'], message_id: [id], mms_version: ['1.3'], from: ['+15550000001/TYPE=PLMN'] });
    await waitFor('delivered', async () => (await stateOf(id)).state === 'delivered');
  });

  it('retries an application that answers 500, with the kernel\'s back-off, and delivers when it answers 204', async () => {
    h.app.script.push({ status: 500, body: Buffer.from('database down') }, { status: 503, headers: { 'retry-after': '0' } });
    const id = await mo('12345', 'retry me');
    await waitFor('delivered after retries', async () => (await stateOf(id)).state === 'delivered');
    const attempts = h.app.received.filter((r) => r.headers['x-nokia-mmsc-message-id'] === id);
    assert.equal(attempts.length, 3, 'two failures, then success');
    assert.ok(attempts.every((a) => a.body.equals(attempts[0]!.body)), 'the same PDU each time');
  });

  it('rejects the recipient when the application refuses with a 4xx', async () => {
    h.app.script.push({ status: 403, body: Buffer.from('not subscribed') });
    const id = await mo('12345', 'refused');
    const r = await waitFor('rejected', async () => {
      const rec = await stateOf(id);
      return rec.state === 'rejected' ? rec : undefined;
    });
    assert.match(r.history.at(-1)?.reason ?? '', /HTTP 403: not subscribed/);
    assert.equal(h.app.received.filter((x) => x.headers['x-nokia-mmsc-message-id'] === id).length, 1, 'not retried');
  });

  it('reads an m-send-conf in a 200 answer: a permanent error status rejects, a transient one retries', async () => {
    // m-send-conf: transaction id "t", MMS 1.2, X-Mms-Response-Status (0x92) error-permanent-content-not-accepted (0xE5).
    const permanent = Buffer.from([0x8c, 0x81, 0x98, 0x74, 0x00, 0x8d, 0x92, 0x92, 0xe5]);
    h.app.script.push({ status: 200, headers: { 'content-type': 'application/vnd.wap.mms-message' }, body: permanent });
    const id = await mo('12345', 'conf says no');
    await waitFor('rejected by m-send-conf', async () => (await stateOf(id)).state === 'rejected');
    // error-transient-failure (0xC0), then 204.
    const transient = Buffer.from([0x8c, 0x81, 0x98, 0x74, 0x00, 0x8d, 0x92, 0x92, 0xc0]);
    h.app.script.push({ status: 200, headers: { 'content-type': 'application/vnd.wap.mms-message' }, body: transient });
    const id2 = await mo('12345', 'conf says later');
    await waitFor('delivered after a transient m-send-conf', async () => (await stateOf(id2)).state === 'delivered');
  });

  it('keeps a 202 Accepted delivery open until the application POSTs X-NOKIA-MMSC-Status', async () => {
    h.app.script.push({ status: 202 });
    const id = await mo('12345', 'async');
    await waitFor('forwarded', async () => (await stateOf(id)).state === 'forwarded');
    const headers = { authorization: basic('news', 'app-secret'), 'X-NOKIA-MMSC-Message-Id': id, 'X-NOKIA-MMSC-Message-Type': 'MultiMediaMessage', 'X-NOKIA-MMSC-Status': '200' };
    // Another application cannot settle it.
    const foreign = await post(h.url, { ...headers, authorization: basic('silent', 'silent-secret') }, Buffer.alloc(0));
    assert.equal(foreign.status, 404, foreign.body);
    assert.equal((await stateOf(id)).state, 'forwarded');
    const res = await post(h.url, headers, Buffer.alloc(0));
    assert.equal(res.status, 204, res.body);
    assert.equal((await stateOf(id)).state, 'delivered');
    const repeated = await post(h.url, headers, Buffer.alloc(0));
    assert.equal(repeated.status, 204, 'a repeated result is acknowledged again');
  });

  it('rejects messages to an application that has no URL, without trying', async () => {
    const id = await mo('5555', 'nowhere');
    const r = await waitFor('rejected', async () => {
      const rec = await stateOf(id);
      return rec.state === 'rejected' ? rec : undefined;
    });
    assert.match(r.history.at(-1)?.reason ?? '', /has no url/);
  });
});
