import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rawHeader, suiteFixture } from '@openmmsc/testkit';
import { mm4Stats } from '../src/index.js';
import { DOMAIN_A } from './helpers.js';
import { forwardReq, startPeerFixture } from './peer-fixture.js';


describe('MM4 ingress is strict: content cut short or not holding its structure is refused', () => {
  const f = suiteFixture(() => startPeerFixture());


  const cases: Array<[string, Parameters<typeof forwardReq>[0], RegExp]> = [
    [
      'a multipart without its closing boundary',
      { body: '--b-1\r\nContent-Type: application/smil\r\nContent-ID: <smil>\r\n\r\n<smil/>\r\n--b-1\r\nContent-Type: text/plain\r\n\r\nhello, and then the connection' },
      /cut short/,
    ],
    [
      'a base64 part cut short (its closing boundary intact)',
      {
        contentType: 'Content-Type: multipart/mixed; boundary="b-1"',
        body: '--b-1\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgoAAAANSUhEUgAAAAEAAAAB\r\nCAYAAAAfFcSJAAAADUlEQVR4\r\n2mN\r\n--b-1--\r\n',
      },
      /base64/,
    ],
    [
      'base64 that is not base64',
      { contentType: 'Content-Type: image/jpeg', headers: ['Content-Transfer-Encoding: base64'], body: '/9j/4AAQ***not base64***\r\n' },
      /base64/,
    ],
    [
      'a multipart/related whose start names no part',
      { contentType: 'Content-Type: multipart/related; type="application/smil"; start="<presentation>"; boundary="b-1"' },
      /start=<presentation> names no part/,
    ],
    [
      'a multipart/related whose root is not the type it declares',
      { contentType: 'Content-Type: multipart/related; type="application/smil"; start="<text>"; boundary="b-1"' },
      /declares type=application\/smil/,
    ],
    [
      'a nested multipart cut short inside a closed outer one',
      {
        contentType: 'Content-Type: multipart/mixed; boundary="outer"',
        body: '--outer\r\nContent-Type: multipart/alternative; boundary="inner"\r\n\r\n--inner\r\nContent-Type: text/plain\r\n\r\nhi\r\n--outer--\r\n',
      },
      /cut short/,
    ],
  ];

  for (const [name, spec, why] of cases) {
    it(`${name}: 554 5.6.0, MM4_forward.RES Error-message-format-corrupt, nothing stored`, async () => {
      const pushes = f.push.pushes.length;
      const received = mm4Stats(f.t.mmsc)!.received;
      const { raw, transactionId } = forwardReq(spec);
      const r = await f.send(raw);
      assert.match(r.data, /^554 5\.6\.0 malformed MIME/);
      assert.match(r.data, why);
      const res = await f.resFor(transactionId);
      assert.equal(rawHeader(res.raw, 'X-Mms-Request-Status-Code'), 'Error-message-format-corrupt');
      assert.deepEqual(res.rcptTo, [`system-user@${DOMAIN_A}`]);
      await new Promise((done) => setTimeout(done, 150));
      assert.equal(f.push.pushes.length, pushes, 'nobody is notified');
      assert.equal(mm4Stats(f.t.mmsc)!.received, received, 'nothing submitted');
    });
  }

  it('without an ack request, the SMTP reply alone refuses it', async () => {
    const before = f.sink.mails.length;
    const { raw } = forwardReq({ ack: false, body: '--b-1\r\nContent-Type: text/plain\r\n\r\ncut' });
    const r = await f.send(raw);
    assert.match(r.data, /^554 5\.6\.0/);
    await new Promise((done) => setTimeout(done, 200));
    assert.equal(f.sink.mails.length, before, 'no RES when none was asked for');
  });

  it('a whole message with deviations it can read is accepted, and the deviations are logged and counted', async () => {
    const warnings = mm4Stats(f.t.mmsc)!.decodeWarnings;
    const { raw, transactionId } = forwardReq({ headers: ['Date: Mon, 07 Dec 2026 10:00:01 +0000'] });
    const r = await f.send(raw);
    assert.match(r.data, /^250 /);
    const res = await f.resFor(transactionId);
    assert.equal(rawHeader(res.raw, 'X-Mms-Request-Status-Code'), 'Ok');
    assert.ok(mm4Stats(f.t.mmsc)!.decodeWarnings > warnings, 'the second Date header is a counted warning');
    assert.match(await f.t.mmsc.registry.metrics(), /openmmsc_mm4_decode_warnings_total [1-9]/);
  });
});
