/** The STI server reads SOAP with attachments strictly: a body cut short is a 400, never a job. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { definePlugin, type Transcoder } from '@openmmsc/core';
import { startTestMmsc, type TestMmsc } from '@openmmsc/testkit';
import mm11, { isMm11Transcoder, parseStiResponse } from '../src/index.js';

const REQUEST = '<?xml version="1.0"?><TranscodingRequest><originatorID>t</originatorID><operationID>op1</operationID></TranscodingRequest>';

/** A multipart/related as a client would write it by hand, cut where `cut` says. */
function body(cut: 'closing' | 'base64'): string {
  const gif = 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';
  const lines = ['--B', 'Content-Type: text/xml', 'Content-ID: <req>', '', REQUEST, '--B', 'Content-Type: image/gif', 'Content-ID: <src>', 'Content-Transfer-Encoding: base64', '', cut === 'base64' ? gif.slice(0, 30) : gif];
  if (cut === 'base64') lines.push('--B--', '');
  return lines.join('\r\n');
}

describe('STI server: MIME cut short', () => {
  let t: TestMmsc;
  let url: string;
  before(async () => {
    let transcoder: Transcoder | undefined;
    const grab = definePlugin({ name: 'grab-transcoder', version: '0.0.0', apiVersion: '^1.0.0', setup: (ctx) => ({ start: () => void (transcoder = ctx.service('Transcoder')) }) });
    t = await startTestMmsc({ plugins: [{ plugin: mm11, options: { sti: { server: { enabled: true, port: 0 } } } }, grab] });
    assert.ok(isMm11Transcoder(transcoder));
    url = transcoder.stiUrl!;
  });
  after(() => t.stop());

  for (const [cut, why] of [
    ['closing', /cut short: no closing --B--/],
    ['base64', /base64 content invalid or cut short/],
  ] as const) {
    it(`refuses a request whose ${cut === 'closing' ? 'closing boundary is missing' : 'base64 attachment is cut short'} with 400`, async () => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'multipart/related; boundary=B; type="text/xml"; start="<req>"' }, body: body(cut) });
      assert.equal(res.status, 400);
      const answer = parseStiResponse(await res.text());
      assert.equal(answer.code, 4000);
      assert.match(answer.message ?? '', why);
    });
  }
});
