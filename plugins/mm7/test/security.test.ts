import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { suiteFixture } from '@openmmsc/testkit';
import { decodeEnvelope, RELEASES, writeEnvelope, type Mm7Client } from '@openmmsc/mm7';
import { imagePart, PASSWORD, startHarness, textPart, type Mm7Harness } from './helpers.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function submitXml(release = RELEASES['REL-6-MM7-1-4'], vaspId = 'acme'): string {
  return writeEnvelope({
    release,
    transactionId: 'sec-1',
    body: { type: 'SubmitReq', senderIdentification: { vaspId, vasId: 'alerts' }, recipients: { to: [{ kind: 'Number', value: '+15550000002' }], cc: [], bcc: [] } },
  });
}

async function post(h: Mm7Harness, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(h.url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'text/xml; charset=utf-8', authorization: basic('acme', PASSWORD), ...headers },
  });
  const text = await res.text();
  let code: number | undefined;
  try {
    const env = decodeEnvelope(text);
    code = env.fault?.detail?.status.code ?? (env.body && 'status' in env.body ? env.body.status.code : undefined);
  } catch {
    code = undefined;
  }
  return { status: res.status, text, code, headers: res.headers };
}

describe('MM7 accounts, limits and malformed input', () => {
  const h = suiteFixture(() => startHarness({
    account: { vasIds: ['alerts'], maxRecipients: 3, maxMessageSize: 10_000 },
    accounts: [
      { id: 'slow', password: 'slow-pw', shortCodes: ['2222'], throughput: 1, burst: 2 },
      { id: 'fenced', password: 'fenced-pw', shortCodes: ['3333'], allowedIps: ['10.0.0.0/8', '2001:db8::/32'] },
    ],
    plugin: { limits: { maxRequestSize: 200_000, maxXmlSize: 20_000, maxXmlDepth: 16, maxMimeParts: 10, maxMimeDepth: 2 } },
  }));

  it('refuses missing and wrong credentials (HTTP 401, 4001) and foreign addresses (HTTP 403)', async () => {
    const none = await post(h, submitXml(), { authorization: '' });
    assert.equal(none.status, 401);
    assert.equal(none.code, 4001);
    assert.match(none.headers.get('www-authenticate') ?? '', /Basic/);
    const wrong = await post(h, submitXml(), { authorization: basic('acme', 'nope') });
    assert.equal(wrong.status, 401);
    const unknown = await post(h, submitXml(), { authorization: basic('mallory', PASSWORD) });
    assert.equal(unknown.status, 401);
    const fenced = await post(h, submitXml(RELEASES['REL-6-MM7-1-4'], 'fenced'), { authorization: basic('fenced', 'fenced-pw') });
    assert.equal(fenced.status, 403);
    assert.equal(fenced.code, 4001);
  });

  it('refuses a VASPID or VASID that does not match the account (4001)', async () => {
    const r = await post(h, submitXml(RELEASES['REL-6-MM7-1-4'], 'someone-else'));
    assert.equal(r.code, 4001);
    const c = h.vasp.client({ url: h.url, vaspId: 'acme', vasId: 'marketing', password: PASSWORD });
    const v = await c.submit({ to: ['+15550000002'], parts: [textPart('x')] });
    assert.equal(v.status?.code, 4001);
  });

  it('refuses senders the VASP may not use (2001), too many recipients (2001), too large content (2004)', async () => {
    const c: Mm7Client = h.vasp.client({ url: h.url, vaspId: 'acme', vasId: 'alerts', password: PASSWORD });
    const sender = await c.submit({ to: ['+15550000002'], from: '99999', parts: [textPart('x')] });
    assert.equal(sender.status?.code, 2001);
    const many = await c.submit({ to: ['+15550000002', '+15550000003', '+15550000004', '+15550000005'], parts: [textPart('x')] });
    assert.equal(many.status?.code, 2001);
    const big = await c.submit({ to: ['+15550000002'], parts: [imagePart(20_000)] });
    assert.equal(big.status?.code, 2004);
    const fine = await c.submit({ to: ['+15550000002'], parts: [imagePart(5_000)] });
    assert.equal(fine.status?.code, 1000);
  });

  it('over the throughput limit the answer is busy: HTTP 503, Retry-After, 4006', async () => {
    const c = h.vasp.client({ url: h.url, vaspId: 'slow', password: 'slow-pw' });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await c.submit({ to: ['+15550000002'], from: '2222', parts: [textPart(`n${i}`)] }));
    const busy = answers.filter((a) => a.status?.code === 4006);
    assert.ok(busy.length >= 1, JSON.stringify(answers.map((a) => a.status?.code)));
    assert.equal(busy[0]!.httpStatus, 503);
    assert.ok((busy[0]!.retryAfterMs ?? 0) >= 1000);
    assert.equal(answers[0]!.status?.code, 1000);
  });

  it('a repeated TransactionID gets the first answer again, not a second message', async () => {
    const c = h.vasp.client({ url: h.url, vaspId: 'acme', vasId: 'alerts', password: PASSWORD });
    const first = await c.submit({ to: ['+15550000002'], parts: [textPart('once')], transactionId: 'dup-1' });
    const second = await c.submit({ to: ['+15550000002'], parts: [textPart('once')], transactionId: 'dup-1' });
    assert.equal(first.status?.code, 1000);
    assert.equal(second.messageId, first.messageId);
  });

  it('answers every malformed-input class with a fault and the right code, and keeps serving', async () => {
    const ok = submitXml();
    const cases: Array<[string, string | Buffer, Record<string, string>, number, number]> = [
      ['not XML', 'this is not xml', {}, 500, 2007],
      ['truncated XML', ok.slice(0, 200), {}, 500, 2007],
      ['DOCTYPE with external entity', `<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>${ok.replace(/^<\?xml[^>]*>\n?/, '')}`, {}, 500, 2007],
      ['entity expansion', '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>', {}, 500, 2007],
      ['nesting too deep', `${'<a>'.repeat(40)}${'</a>'.repeat(40)}`, {}, 500, 2007],
      ['envelope too large', `<x>${'y'.repeat(30_000)}</x>`, {}, 500, 2007],
      ['not a SOAP envelope', '<?xml version="1.0"?><SubmitReq/>', {}, 500, 2007],
      ['SOAP 1.2', '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><x/></e:Body></e:Envelope>', {}, 500, 2007],
      ['unknown namespace', ok.replaceAll('REL-6-MM7-1-4', 'REL-9-MM7-9-9'), {}, 500, 4002],
      ['unknown MM7Version', ok.replace('6.8.0', '7.0.0'), {}, 500, 4002],
      ['unsupported operation', ok.replaceAll('SubmitReq', 'TeleportReq'), {}, 500, 4003],
      ['MMSC-bound operation', ok.replaceAll('SubmitReq', 'DeliveryReportRsp'), {}, 500, 4003],
      ['missing Recipients', ok.replace(/<mm7:Recipients>.*<\/mm7:Recipients>/, ''), {}, 500, 2002],
      ['bad boolean', ok.replace('</mm7:Recipients>', '</mm7:Recipients><mm7:DeliveryReport>maybe</mm7:DeliveryReport>'), {}, 500, 4004],
      ['bad ExpiryDate', ok.replace('</mm7:Recipients>', '</mm7:Recipients><mm7:ExpiryDate>tomorrow</mm7:ExpiryDate>'), {}, 500, 4004],
      ['wrong content type', '{"to":"x"}', { 'content-type': 'application/json' }, 500, 2007],
      ['multipart without boundary', ok, { 'content-type': 'multipart/related' }, 500, 2007],
      ['unterminated multipart', `--B\r\nContent-Type: text/xml\r\n\r\n${ok}\r\n--B\r\nContent-ID: <c>\r\n\r\nabc`, { 'content-type': 'multipart/related; boundary=B' }, 500, 2007],
      [
        'too many MIME parts',
        `--B\r\nContent-Type: text/xml\r\n\r\n${ok}\r\n${'--B\r\nContent-Type: text/plain\r\n\r\nx\r\n'.repeat(20)}--B--\r\n`,
        { 'content-type': 'multipart/related; boundary=B' },
        500,
        2007,
      ],
      [
        'multiparts nested too deep',
        `--B\r\nContent-Type: text/xml\r\n\r\n${ok}\r\n--B\r\nContent-Type: multipart/mixed; boundary=C\r\n\r\n--C\r\nContent-Type: multipart/mixed; boundary=D\r\n\r\n--D\r\nContent-Type: multipart/mixed; boundary=E\r\n\r\n--E\r\n\r\nx\r\n--E--\r\n--D--\r\n--C--\r\n--B--\r\n`,
        { 'content-type': 'multipart/related; boundary=B' },
        500,
        2007,
      ],
      ['request body too large', Buffer.alloc(300_000, 0x41), {}, 413, 2004],
    ];
    for (const [label, body, headers, http, code] of cases) {
      const r = await post(h, body, headers);
      assert.equal(r.status, http, `${label}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
      assert.equal(r.code, code, `${label}: ${r.text.slice(0, 300)}`);
    }
    const after = await h.vasp.client({ url: h.url, vaspId: 'acme', vasId: 'alerts', password: PASSWORD }).submit({ to: ['+15550000002'], parts: [textPart('still alive')] });
    assert.equal(after.status?.code, 1000);
  });

  it('random bytes never crash the server (fuzz)', async () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const ok = Buffer.from(submitXml());
    for (let i = 0; i < 60; i++) {
      const b = Buffer.from(ok);
      for (let j = 0; j < 1 + Math.floor(rnd() * 20); j++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      const r = await post(h, b);
      assert.ok([200, 500].includes(r.status), `HTTP ${r.status}`);
      assert.match(r.text, /Envelope/);
    }
  });
});
