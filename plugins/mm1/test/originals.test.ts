import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodePdu, partText } from '@openmmsc/codec';
import mm11 from '@openmmsc/plugin-mm11';
import { HmacContentLinks } from '@openmmsc/core';
import { HttpClient, buildMessage, waitFor, freePort } from '@openmmsc/testkit';
import { startRig, type Rig } from './helpers.js';
import { A, B, C, as } from './phones.js';

/** The deployment's link key, given in config, so the tests can sign as the kernel does. */
const SECRET = 'originals-test-key-0123456789abcdef';
const links = new HmacContentLinks(SECRET);
const DAY = 86_400_000;

describe('"see the original" links in MM11 removal notices are served by MM1', () => {
  let rig: Rig;
  const http = new HttpClient(2);
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(5000, 0x41), Buffer.from('\n%%EOF\n')]);
  let link: string;
  let messageId: string;

  before(async () => {
    const port = await freePort();
    rig = await startRig({
      bearer: 'direct',
      phones: [{ msisdn: B, mode: 'manual' }],
      mm1: { port },
      config: { links: { secret: SECRET } },
      extraPlugins: [{ plugin: mm11, options: { publicBaseUrl: `http://127.0.0.1:${port}` } }],
    });
    const sent = await rig.t.mmsc.submit({
      message: buildMessage({
        from: A,
        to: B,
        text: 'the contract',
        parts: [{ contentType: { type: 'application/pdf', params: { name: 'contract.pdf' } }, contentLocation: 'contract.pdf', data: pdf }],
      }),
      origin: { interface: 'api' },
    });
    assert.equal(sent.status, 'accepted');
    messageId = sent.messageId;
    const push = await waitFor('notified', () => rig.pushes.find((p) => p.notification.messageId === messageId));
    // B's phone takes pictures and text, not PDF: MM11 replaces the PDF with a notice.
    const res = await http.send(push.notification.contentLocation!, { headers: { ...as(B), accept: 'image/jpeg, image/png, text/plain, application/smil' } });
    assert.equal(res.status, 200);
    const conf = decodePdu(res.body);
    assert.equal(conf.messageType, 'm-retrieve-conf');
    const texts = conf.messageType === 'm-retrieve-conf' ? (conf.body?.parts ?? []).filter((p) => p.contentType.type === 'text/plain').map((p) => partText(p)) : [];
    const notice = texts.find((t) => t.includes('was removed'));
    assert.ok(notice, `a removal notice among ${JSON.stringify(texts)}`);
    link = /See the original at (\S+?)\]?$/.exec(notice)?.[1] ?? '';
    assert.match(link, new RegExp(`^http://127\\.0\\.0\\.1:${port}/o/${messageId}/1\\?e=[0-9a-z]+&s=[A-Za-z0-9_-]{43}$`));
  });

  after(async () => {
    http.close();
    await rig?.stop();
  });

  it('a phone browser (no MSISDN) opens the link: the original part, with its own content type', async () => {
    const res = await http.send(link);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/pdf');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.deepEqual(res.body, pdf);
    const head = await http.send(link, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers['content-length']), pdf.length);
  });

  it('the recipient through the gateway may, another subscriber may not; nobody\'s state changes', async () => {
    const before = (await rig.t.mmsc.getRecipients(messageId))[0]!.history.length;
    assert.equal((await http.send(link, { headers: as(B) })).status, 200);
    const other = await http.send(link, { headers: as(C) });
    assert.equal(other.status, 403);
    assert.match(String(other.headers['content-type']), /^text\/plain/);
    assert.equal((await rig.t.mmsc.getRecipients(messageId))[0]!.history.length, before);
  });

  it('only parts and messages that exist', async () => {
    const signed = (id: string, part: number) => links.sign({ messageId: id, part, expiresAt: Date.now() + DAY });
    for (const path of [signed(messageId, 9), `/o/${messageId}/x`, signed('a'.repeat(24), 0), '/o/short/0']) {
      const res = await http.send(`${rig.url}${path}`);
      assert.equal(res.status, 404, path);
      assert.match(String(res.headers['content-type']), /^text\/plain/, path);
    }
    // Part 0 is the text: served as what it is.
    const text = await http.send(`${rig.url}${signed(messageId, 0)}`);
    assert.equal(text.status, 200);
    assert.equal(text.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(text.body.toString(), 'the contract');
  });
});

describe('links to originals are signed', () => {
  let rig: Rig;
  const http = new HttpClient(2);
  let messageId: string;
  let expiresAt: number;
  const get = (path: string) => http.send(`${rig.url}${path}`);

  before(async () => {
    rig = await startRig({ bearer: 'direct', phones: [{ msisdn: B, mode: 'manual' }], config: { links: { secret: SECRET } } });
    const sent = await rig.t.mmsc.submit({ message: buildMessage({ from: A, to: B, text: 'signed' }), origin: { interface: 'api' } });
    messageId = sent.messageId;
    expiresAt = (await rig.t.mmsc.getMessage(messageId))!.expiresAt;
  });
  after(async () => {
    http.close();
    await rig?.stop();
  });

  it('a valid link, signed to expire with the message, opens the part', async () => {
    const res = await get(links.sign({ messageId, part: 0, expiresAt }));
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'signed');
    assert.equal((await get(links.sign({ messageId, part: 0, recipient: B, expiresAt }))).status, 200, 'one bound to a recipient too');
  });

  it('an unsigned link (a guessed or known id) is refused with 403', async () => {
    const res = await get(`/o/${messageId}/0`);
    assert.equal(res.status, 403);
    assert.match(res.body.toString(), /not valid/);
    assert.doesNotMatch(res.body.toString(), /signed/, 'nothing of the part leaks');
  });

  it('a forged link is refused with 403: another key, another part, a later expiry, another recipient', async () => {
    const valid = links.sign({ messageId, part: 0, expiresAt });
    const forged = [
      new HmacContentLinks('someone-elses-key-0123456789abcdef').sign({ messageId, part: 0, expiresAt }),
      valid.replace(`/${messageId}/0?`, `/${messageId}/1?`),
      valid.replace(/e=[0-9a-z]+/, `e=${Math.ceil((expiresAt + DAY) / 1000).toString(36)}`),
      links.sign({ messageId, part: 0, recipient: B, expiresAt }).replace(`r=${encodeURIComponent(B)}`, `r=${encodeURIComponent(A)}`),
      valid.replace(/s=([A-Za-z0-9_-])/, (_m, c: string) => `s=${c === 'A' ? 'B' : 'A'}`),
    ];
    for (const path of forged) assert.equal((await get(path)).status, 403, path);
  });

  it('a truncated link is refused with 403', async () => {
    const valid = links.sign({ messageId, part: 0, expiresAt });
    for (const path of [valid.slice(0, -1), valid.slice(0, -10), valid.replace(/&s=.*$/, ''), valid.replace(/\?.*$/, '?s=')]) {
      assert.equal((await get(path)).status, 403, path);
    }
  });

  it('an expired link is refused with 404, though its signature holds', async () => {
    const res = await get(links.sign({ messageId, part: 0, expiresAt: Date.now() - 1000 }));
    assert.equal(res.status, 404);
    assert.match(res.body.toString(), /expired/);
  });
});

describe('originals: recipients only', () => {
  it('retrieval.originals recipients: a request without a vouched identity is refused', async () => {
    const rig = await startRig({ bearer: 'direct', phones: [{ msisdn: B, mode: 'manual' }], mm1: { retrieval: { originals: 'recipients' } }, config: { links: { secret: SECRET } } });
    const http = new HttpClient(1);
    try {
      const sent = await rig.t.mmsc.submit({ message: buildMessage({ from: A, to: B, text: 'hi' }), origin: { interface: 'api' } });
      const url = `${rig.url}${links.sign({ messageId: sent.messageId, part: 0, expiresAt: Date.now() + DAY })}`;
      assert.equal((await http.send(url)).status, 403);
      assert.equal((await http.send(url, { headers: as(C) })).status, 403);
      assert.equal((await http.send(url, { headers: as(B) })).status, 200);
      assert.equal((await http.send(url, { headers: as(A) })).status, 200, 'the sender sees its own original');
    } finally {
      http.close();
      await rig.stop();
    }
  });
});
