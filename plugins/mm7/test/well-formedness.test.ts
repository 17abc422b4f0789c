import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { requireSystem, suiteFixture } from '@openmmsc/testkit';
import { counter, PASSWORD, startHarness } from './helpers.js';
import { answerFields, basic, GIF_BASE64, multipartRelated, rawRequest, soapSubmit } from './raw-http.js';

const auth = { Authorization: basic('acme', PASSWORD) };
const submit = (tx: string) => soapSubmit({ transactionId: tx, vasId: 'alerts', subject: 'hello' });

/**
 * Envelopes that are not well-formed XML but that a tolerant parser reads anyway: the envelope
 * used to be checked by a separate validating pass before it was parsed; it is now parsed once,
 * by a strict parser, and each of these must still be refused.
 */
const MALFORMED: Array<[label: string, tx: string, xml: string]> = [
  ['root element never closed', 'wf-1', submit('wf-1').replace('</soap:Envelope>', '')],
  ['end tag of another element', 'wf-2', submit('wf-2').replace('</mm7:Subject>', '</mm7:Subjekt>')],
  ['text after the root element', 'wf-3', `${submit('wf-3')}trailing text`],
  ['a second root element', 'wf-4', `${submit('wf-4')}<soap:Envelope/>`],
  ['unquoted attribute value', 'wf-5', submit('wf-5').replace('soap:mustUnderstand="1"', 'soap:mustUnderstand=1')],
  ['attribute written twice', 'wf-6', submit('wf-6').replace('soap:mustUnderstand="1"', 'soap:mustUnderstand="1" soap:mustUnderstand="1"')],
  ['attribute without a value', 'wf-7', submit('wf-7').replace('<mm7:SubmitReq>', '<mm7:SubmitReq checked>')],
  ['bare ampersand in text', 'wf-8', submit('wf-8').replace('>hello<', '>fish & chips<')],
  ['bare < in text', 'wf-9', submit('wf-9').replace('>hello<', '>1 < 2<')],
  ['element name starting with a digit', 'wf-10', submit('wf-10').replace('<mm7:Subject>hello</mm7:Subject>', '<1st>hello</1st>')],
  ['undefined entity', 'wf-11', submit('wf-11').replace('>hello<', '>a&nbsp;b<')],
  ['end tag without a start tag', 'wf-12', submit('wf-12').replace('</mm7:SubmitReq>', '</mm7:Extra></mm7:SubmitReq>')],
];

describe('MM7: an envelope that is not well-formed XML is refused (2007) with its TransactionID, once parsed in one pass', () => {
  const h = suiteFixture(() => startHarness({ account: { vasIds: ['alerts'] } }));

  it('the well-formed envelope these are made from is accepted (1000)', async () => {
    const res = await rawRequest(h.url, { body: submit('wf-0'), headers: { ...auth, 'Content-Type': 'text/xml' } });
    assert.equal(answerFields(res.body).code, 1000, res.body);
    assert.equal(answerFields(res.body).transactionId, 'wf-0');
  });

  it('each malformed envelope, alone or as the root of a multipart/related, → 2007 Client fault naming its TransactionID, nothing stored', async () => {
    const submitted = await counter(h, 'openmmsc_submissions_total', { interface: 'mm7' });
    for (const [label, tx, xml] of MALFORMED) {
      const multipart = multipartRelated(xml, { headers: ['Content-Type: image/gif', 'Content-ID: <pic>', 'Content-Transfer-Encoding: base64'], body: GIF_BASE64 });
      for (const [how, body, contentType] of [
        ['text/xml', xml, 'text/xml; charset=utf-8'],
        ['multipart', multipart.body, multipart.contentType],
      ] as const) {
        const res = await rawRequest(h.url, { body, headers: { ...auth, 'Content-Type': contentType } });
        const f = answerFields(res.body);
        assert.equal(res.status, 500, `${label} (${how}): HTTP ${res.status} ${res.body.slice(0, 300)}`);
        assert.equal(f.code, 2007, `${label} (${how}): ${res.body.slice(0, 300)}`);
        assert.equal(f.faultcode?.replace(/^.*:/, ''), 'Client', `${label} (${how})`);
        assert.equal(f.transactionId, tx, `${label} (${how}): TransactionID of the fault`);
      }
    }
    assert.equal(await counter(h, 'openmmsc_submissions_total', { interface: 'mm7' }), submitted, 'nothing submitted');
  });

  it('xmllint agrees: every one of them is not well-formed, the original is', { skip: requireSystem('xmllint') }, () => {
    const wellFormed = (xml: string) => {
      try {
        execFileSync('xmllint', ['--noout', '--nonet', '-'], { input: xml, stdio: ['pipe', 'ignore', 'ignore'] });
        return true;
      } catch {
        return false;
      }
    };
    assert.equal(wellFormed(submit('wf-0')), true);
    for (const [label, , xml] of MALFORMED) assert.equal(wellFormed(xml), false, label);
  });
});
