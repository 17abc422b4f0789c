import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { requireSystem, systemCommand } from '@openmmsc/testkit';
import { counter, PASSWORD, startHarness, validateEnvelopes, type Mm7Harness } from './helpers.js';
import { answerFields, basic, multipartRelated, rawRequest, soapSubmit } from './raw-http.js';

const run = promisify(execFile);

/** A SubmitReq whose base64 attachment makes the request about `bytes` long. */
function bigSubmit(transactionId: string, bytes: number) {
  const line = `${'QUFB'.repeat(19)}\r\n`;
  const data = line.repeat(Math.ceil(bytes / line.length));
  return multipartRelated(soapSubmit({ transactionId, contentHref: 'cid:pic' }), { headers: ['Content-Type: image/jpeg', 'Content-ID: <pic>', 'Content-Transfer-Encoding: base64'], body: data });
}

describe('MM7: a request over maxRequestSize gets its fault, read by a client that sends the whole body', () => {
  let h: Mm7Harness;
  let dir: string;
  const emitted: Array<{ release: string; xml: string; label: string }> = [];
  before(async () => {
    h = await startHarness({ plugin: { limits: { maxRequestSize: 200_000 } } });
    dir = await mkdtemp(join(tmpdir(), 'mm7-oversize-'));
  });
  after(async () => {
    await h?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('raw socket, Content-Length of 8 MB: HTTP 413 + 2004 fault with the TransactionID, no EPIPE/ECONNRESET', async () => {
    const big = bigSubmit('big-1', 8 * 1024 * 1024);
    const before = await counter(h, 'openmmsc_submissions_total', { interface: 'mm7' });
    const res = await rawRequest(h.url, { body: big.body, headers: { Authorization: basic('acme', PASSWORD), 'Content-Type': big.contentType }, timeout: 20_000 });
    assert.equal(res.socketError, undefined, 'the client wrote its whole body without a broken pipe or reset');
    assert.equal(res.status, 413, res.body.slice(0, 300));
    const f = answerFields(res.body);
    assert.equal(f.code, 2004);
    assert.equal(f.transactionId, 'big-1');
    assert.equal(await counter(h, 'openmmsc_submissions_total', { interface: 'mm7' }), before);
    emitted.push({ release: 'REL-6-MM7-1-4', xml: res.body, label: '413 raw socket' });
  });

  for (const [label, extra] of [
    ['curl with Content-Length (Expect: 100-continue)', []],
    ['curl with Content-Length, no Expect', ['-H', 'Expect:']],
    ['curl with chunked transfer coding', ['-H', 'Transfer-Encoding: chunked']],
  ] as const) {
    it(`${label}: curl exits 0 and reads the 413 fault`, { skip: requireSystem('curl') }, async () => {
      const big = bigSubmit('big-curl', 3 * 1024 * 1024);
      const file = join(dir, 'body');
      const out = join(dir, 'answer.xml');
      await writeFile(file, big.body);
      const { stdout } = await run(systemCommand('curl', 'curl'), ['-sS', '-o', out, '-w', '%{http_code}', '-u', `acme:${PASSWORD}`, '-H', `Content-Type: ${big.contentType}`, ...extra, '--data-binary', `@${file}`, h.url], { timeout: 20_000 });
      assert.equal(stdout, '413');
      const xml = await readFile(out, 'utf8');
      assert.equal(answerFields(xml).code, 2004);
      assert.equal(answerFields(xml).transactionId, 'big-curl');
      emitted.push({ release: 'REL-6-MM7-1-4', xml, label });
    });
  }

  it('every fault above validates against the XSD (xmllint)', { skip: requireSystem('xmllint', 'curl') }, async () => {
    assert.equal(emitted.length, 4);
    assert.deepEqual(await validateEnvelopes(emitted), []);
  });
});
