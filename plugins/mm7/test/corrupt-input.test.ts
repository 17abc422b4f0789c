import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requireSystem, suiteFixture } from '@openmmsc/testkit';
import { counter, PASSWORD, startHarness, validateEnvelopes } from './helpers.js';
import { answerFields, basic, GIF_BASE64, multipartRelated, rawRequest, soapSubmit, type RawRequestOptions } from './raw-http.js';

const auth = { Authorization: basic('acme', PASSWORD) };
const gifPart = (body: string) => ({ headers: ['Content-Type: image/gif', 'Content-ID: <pic>', 'Content-Transfer-Encoding: base64'], body });

describe('MM7: structurally incomplete requests are refused with a fault that keeps their TransactionID', () => {
  const emitted: Array<{ release: string; xml: string; label: string }> = [];
  const h = suiteFixture(() => startHarness({ account: { vasIds: ['alerts'] }, plugin: { limits: { maxRequestSize: 200_000 }, listener: { requestTimeout: '2s' } } }));

  /** Sends, checks the fault (code, TransactionID, HTTP status) and that nothing was stored. */
  async function refused(label: string, opts: RawRequestOptions, expect: { code: number; http: number; tx: string; release?: string }) {
    const before = await counter(h, 'openmmsc_submissions_total', { interface: 'mm7' });
    const pushes = h.pushes.length;
    const res = await rawRequest(h.url, opts);
    const f = answerFields(res.body);
    assert.equal(res.status, expect.http, `${label}: HTTP ${res.status} ${res.body.slice(0, 400)}`);
    assert.match(res.headers['content-type'] ?? '', /^text\/xml/, `${label}: ${res.headers['content-type']}`);
    assert.equal(f.code, expect.code, `${label}: ${res.body.slice(0, 400)}`);
    assert.equal(f.faultcode?.replace(/^.*:/, ''), 'Client', label);
    assert.equal(f.transactionId, expect.tx, `${label}: TransactionID of the fault`);
    assert.equal(await counter(h, 'openmmsc_submissions_total', { interface: 'mm7' }), before, `${label}: nothing submitted`);
    assert.equal(h.pushes.length, pushes, `${label}: nobody notified`);
    emitted.push({ release: expect.release ?? 'REL-6-MM7-1-4', xml: res.body, label });
    return res;
  }

  it('a multipart/related cut short (no closing boundary, attachment cut mid-way) → 2007', async () => {
    const env = soapSubmit({ transactionId: 'cut-1', contentHref: 'cid:pic', vasId: 'alerts' });
    const noClose = multipartRelated(env, gifPart(GIF_BASE64), { closing: false });
    await refused('no closing boundary', { body: noClose.body, headers: { ...auth, 'Content-Type': noClose.contentType } }, { code: 2007, http: 500, tx: 'cut-1' });
    const whole = multipartRelated(soapSubmit({ transactionId: 'cut-2', contentHref: 'cid:pic', vasId: 'alerts' }), gifPart(GIF_BASE64));
    const midway = whole.body.slice(0, whole.body.indexOf(GIF_BASE64) + 20);
    await refused('attachment cut mid-way', { body: midway, headers: { ...auth, 'Content-Type': whole.contentType } }, { code: 2007, http: 500, tx: 'cut-2' });
  });

  it('a truncated or invalid base64 attachment → 2007, nothing stored', async () => {
    const env = soapSubmit({ transactionId: 'b64-1', contentHref: 'cid:pic', vasId: 'alerts' });
    // Cut inside the last quantum: the closing boundary is there, the data is not.
    const truncated = multipartRelated(env, gifPart(GIF_BASE64.slice(0, 42)));
    await refused('truncated base64', { body: truncated.body, headers: { ...auth, 'Content-Type': truncated.contentType } }, { code: 2007, http: 500, tx: 'b64-1' });
    const invalid = multipartRelated(soapSubmit({ transactionId: 'b64-2', contentHref: 'cid:pic', vasId: 'alerts' }), gifPart(`${GIF_BASE64.slice(0, 20)}*%${GIF_BASE64.slice(22)}`));
    await refused('invalid base64', { body: invalid.body, headers: { ...auth, 'Content-Type': invalid.contentType } }, { code: 2007, http: 500, tx: 'b64-2' });
  });

  it('a SOAP envelope that is not well-formed or cut short → 2007, in the request\'s release', async () => {
    const bad = soapSubmit({ transactionId: 'xml-1', vasId: 'alerts' }).replace('</mm7:Recipients>', '</mm7:Recipient>');
    await refused('mismatched tag', { body: bad, headers: { ...auth, 'Content-Type': 'text/xml' } }, { code: 2007, http: 500, tx: 'xml-1' });
    const env = soapSubmit({ transactionId: 'xml-2', release: 'REL-5-MM7-1-2', version: '5.3.0', vasId: 'alerts' });
    const cut = env.slice(0, env.indexOf('<mm7:Recipients>') + 10);
    await refused('envelope cut short', { body: cut, headers: { ...auth, 'Content-Type': 'text/xml; charset=utf-8' } }, { code: 2007, http: 500, tx: 'xml-2', release: 'REL-5-MM7-1-2' });
    const inPart = multipartRelated(cut, gifPart(GIF_BASE64));
    await refused('envelope cut short inside a multipart', { body: inPart.body, headers: { ...auth, 'Content-Type': inPart.contentType } }, { code: 2007, http: 500, tx: 'xml-2', release: 'REL-5-MM7-1-2' });
  });

  // A small body is gathered as chunks; one declared larger than a socket read, into one buffer as it comes.
  for (const [size, attachment] of [['small', GIF_BASE64], ['≈ 120 KB', `${GIF_BASE64}\r\n`.repeat(Math.ceil(120_000 / GIF_BASE64.length))]] as const) {
    it(`a ${size} body shorter than its Content-Length → 2007 fault, whether the client half-closes or waits`, async () => {
      const whole = multipartRelated(soapSubmit({ transactionId: 'short-1', contentHref: 'cid:pic', vasId: 'alerts' }), gifPart(attachment));
      const opts = { body: whole.body, contentLength: whole.body.length + 500, headers: { ...auth, 'Content-Type': whole.contentType } };
      const half = await refused('Content-Length too large, client half-closes', { ...opts, halfClose: true }, { code: 2007, http: 400, tx: 'short-1' });
      assert.equal(half.socketError, undefined);
      const started = Date.now();
      const waited = await refused('Content-Length too large, client waits', { ...opts, timeout: 8000 }, { code: 2007, http: 408, tx: 'short-1' });
      assert.equal(waited.headers.connection, 'close');
      assert.ok(Date.now() - started >= 1500, 'answered at the request timeout, not before');
    });
  }

  it('faults raised while reading keep the TransactionID: bad credentials, unknown operation, bad MM7Version', async () => {
    await refused('bad credentials', { body: soapSubmit({ transactionId: 'auth-1' }), headers: { Authorization: basic('acme', 'wrong'), 'Content-Type': 'text/xml' } }, { code: 4001, http: 401, tx: 'auth-1' });
    const op = soapSubmit({ transactionId: 'op-1', vasId: 'alerts' }).replaceAll('SubmitReq', 'TeleportReq');
    const r = await rawRequest(h.url, { body: op, headers: { ...auth, 'Content-Type': 'text/xml' } });
    assert.equal(answerFields(r.body).code, 4003);
    assert.equal(answerFields(r.body).transactionId, 'op-1');
    emitted.push({ release: 'REL-6-MM7-1-4', xml: r.body, label: 'unsupported operation' });
    const v = await rawRequest(h.url, { body: soapSubmit({ transactionId: 'ver-1', version: '9.9.9', vasId: 'alerts' }), headers: { ...auth, 'Content-Type': 'text/xml' } });
    assert.equal(answerFields(v.body).code, 4002);
    assert.equal(answerFields(v.body).transactionId, 'ver-1');
    emitted.push({ release: 'REL-6-MM7-1-4', xml: v.body, label: 'unsupported version' });
  });

  it('a SubmitReq without Recipients (or with an empty one) → 2002 Address Error with its TransactionID', async () => {
    await refused('no Recipients', { body: soapSubmit({ transactionId: 'rcpt-1', recipientsXml: '', vasId: 'alerts' }), headers: { ...auth, 'Content-Type': 'text/xml' } }, { code: 2002, http: 500, tx: 'rcpt-1' });
    await refused('empty Recipients', { body: soapSubmit({ transactionId: 'rcpt-2', recipientsXml: '<mm7:Recipients><mm7:To/></mm7:Recipients>', vasId: 'alerts' }), headers: { ...auth, 'Content-Type': 'text/xml' } }, { code: 2002, http: 500, tx: 'rcpt-2' });
  });

  it('lenient decoding is accepted but logged and counted (bare LF line ends, no Content-Type on the envelope part)', async () => {
    const beforeLf = await counter(h, 'openmmsc_mm7_decode_warnings_total', { kind: 'bare-lf' });
    const beforeType = await counter(h, 'openmmsc_mm7_decode_warnings_total', { kind: 'envelope-type' });
    const env = soapSubmit({ transactionId: 'lenient-1', contentHref: 'cid:pic', vasId: 'alerts' });
    const body = `--B\nContent-ID: <soap-start>\n\n${env}\n--B\nContent-Type: image/gif\nContent-ID: <pic>\nContent-Transfer-Encoding: base64\n\n${GIF_BASE64}\n--B--\n`;
    const res = await rawRequest(h.url, { body, headers: { ...auth, 'Content-Type': 'multipart/related; boundary=B; start="<soap-start>"' } });
    assert.equal(res.status, 200, res.body);
    assert.equal(answerFields(res.body).code, 1000);
    assert.equal(answerFields(res.body).transactionId, 'lenient-1');
    emitted.push({ release: 'REL-6-MM7-1-4', xml: res.body, label: 'SubmitRsp to a lenient request' });
    assert.equal(await counter(h, 'openmmsc_mm7_decode_warnings_total', { kind: 'bare-lf' }), beforeLf + 1);
    assert.equal(await counter(h, 'openmmsc_mm7_decode_warnings_total', { kind: 'envelope-type' }), beforeType + 1);
    assert.ok((await counter(h, 'openmmsc_mm7_faults_total', { code: '2007' })) >= 8, 'faults are counted by status code');
  });

  it('every answer above validates against its release XSD (xmllint)', { skip: requireSystem('xmllint') }, async () => {
    assert.ok(emitted.length >= 14, `only ${emitted.length} answers recorded`);
    assert.deepEqual(await validateEnvelopes(emitted), []);
  });
});
