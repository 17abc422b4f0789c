/**
 * E-mail in, with swaks as the mail client: MM3 takes mail only for our own subscribers (or the
 * targets it is configured for), refuses a MIME body cut short, and bounces in plain ASCII headers.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import mm5 from '@openmmsc/plugin-mm5';
import { RawSmtpSink, headerValues, readMailWithPython, recordingDeliverer, recordingPushBearer, requireSystem, startTestMmsc, systemCommand, waitFor, type TestMmsc } from '@openmmsc/testkit';
import mm3, { mm3Port, mm3Stats, type Mm3OptionsInput } from '../src/index.js';

const run = promisify(execFile);
const DOMAIN = 'mms.example.net';

interface Side {
  t: TestMmsc;
  port: number;
  push: ReturnType<typeof recordingPushBearer>;
  mm4: ReturnType<typeof recordingDeliverer>;
  mm7: ReturnType<typeof recordingDeliverer>;
}

/** +1555… ours, +1666… another operator's (MM4), +1999… a VASP's short codes (MM7). */
async function startSide(sink: RawSmtpSink, mm3Extra: Partial<Mm3OptionsInput> = {}): Promise<Side> {
  const push = recordingPushBearer();
  const mm4 = recordingDeliverer('mm4');
  const mm7 = recordingDeliverer('mm7');
  const t = await startTestMmsc({
    config: { jobs: { deliver: { backoffBase: 50, backoffMax: 200 }, report: { backoffBase: 50, backoffMax: 200 } } },
    plugins: [
      {
        plugin: mm5,
        options: {
          resolvers: [{ type: 'prefix', routes: [{ prefix: '+1555', target: 'local' }, { prefix: '+1666', target: 'mm4', destination: 'mms.other.net' }, { prefix: '+1999', target: 'mm7' }] }],
          unmatched: 'reject',
        },
      },
      mm4.plugin,
      mm7.plugin,
      { plugin: mm3, options: { domain: DOMAIN, relay: { host: '127.0.0.1', port: sink.port }, server: { host: '127.0.0.1', port: 0, allowedSources: ['127.0.0.1/32'] }, ...mm3Extra } },
      push.plugin,
    ],
  });
  return { t, port: mm3Port(t.mmsc)!, push, mm4, mm7 };
}

describe('MM3 inbound: our subscribers only, whole MIME only', { skip: requireSystem('swaks') }, () => {
  let sink: RawSmtpSink;
  let side: Side;
  let dir = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mm3-intake-'));
    sink = await new RawSmtpSink().start();
    side = await startSide(sink);
  });
  after(async () => {
    await side.t.stop();
    await sink.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs swaks; its transcript (`<-` lines are the server's replies) whether it succeeded or not. */
  async function swaks(port: number, args: string[]): Promise<string> {
    try {
      const { stdout } = await run(systemCommand('swaks', 'swaks'), ['--server', '127.0.0.1', '--port', String(port), '--from', 'alice@mail.example', '--timeout', '10', ...args]);
      return stdout;
    } catch (error) {
      return (error as { stdout?: string }).stdout ?? '';
    }
  }
  const dataFile = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text.replace(/\r?\n/g, '\r\n'));
    return `@${file}`;
  };
  const quiet = () => new Promise((done) => setTimeout(done, 300));

  it('mail for another operator’s number is refused as relaying (550 5.7.1), and nothing goes over MM4', async () => {
    const received = mm3Stats(side.t.mmsc)!.received;
    // swaks (Getopt) reads a leading '+' as an option: the digits-only form of the address.
    const out = await swaks(side.port, ['--to', `16660000001@${DOMAIN}`, '--header', 'Subject: relay me', '--body', 'please pass this on']);
    assert.match(out, /<\*\*\s+550 5\.7\.1 relaying denied: \+16660000001 is not served here/);
    await quiet();
    assert.deepEqual(side.mm4.delivered, []);
    assert.equal(side.push.pushes.length, 0);
    assert.equal(mm3Stats(side.t.mmsc)!.received, received, 'nothing stored');
  });

  it('with one of ours among them, ours gets it and the sender a bounce for the other, in RFC 2047', { skip: requireSystem('python3') }, async () => {
    const before = sink.mails.length;
    const out = await swaks(side.port, ['--to', `15550000002@${DOMAIN},16660000002@${DOMAIN}`, '--header', 'Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgZGVyIEZlcm5l?=', '--body', 'hallo']);
    assert.match(out, /<-\s+250 2\.0\.0 accepted as MMS/);
    await waitFor('our subscriber is notified', () => side.push.pushes.find((p) => p.to.value === '+15550000002'));
    const bounce = await waitFor('a bounce to the sender', () => sink.mails.slice(before).find((m) => m.rcptTo.includes('alice@mail.example')));
    assert.equal(bounce.mailFrom, '');
    const [view] = await readMailWithPython(bounce.raw);
    assert.ok(view!.header_bytes_ascii, 'no raw 8-bit bytes in the bounce headers');
    assert.deepEqual(view!.defects, []);
    assert.deepEqual(headerValues(view!, 'Subject'), ['Undelivered Mail Returned to Sender: Grüße aus der Ferne']);
    assert.equal(view!.content_type, 'multipart/report');
    assert.match(bounce.raw.toString('latin1'), /Final-Recipient: rfc822; \+16660000002@mms\.example\.net\r\nAction: failed\r\nStatus: 5\.7\.1/);
    await quiet();
    assert.deepEqual(side.mm4.delivered, []);
  });

  it('a MIME body cut short is refused with 554 5.6.0 and nothing stored', async () => {
    const received = mm3Stats(side.t.mmsc)!.received;
    const noClosing = dataFile(
      'no-closing.eml',
      [
        'From: alice@mail.example',
        `To: 15550000003@${DOMAIN}`,
        'Subject: cut',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain',
        '',
        'the text',
        '--b1',
        'Content-Type: image/png',
        'Content-Transfer-Encoding: base64',
        '',
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ',
        '',
      ].join('\n'),
    );
    const cut = await swaks(side.port, ['--to', `15550000003@${DOMAIN}`, '--data', noClosing]);
    assert.match(cut, /<\*\*\s+554 5\.6\.0 malformed MIME: multipart body cut short/);
    const badBase64 = dataFile(
      'bad-base64.eml',
      ['From: alice@mail.example', `To: 15550000003@${DOMAIN}`, 'Subject: cut', 'Content-Type: image/png', 'Content-Transfer-Encoding: base64', '', 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAA', ''].join('\n'),
    );
    assert.match(await swaks(side.port, ['--to', `15550000003@${DOMAIN}`, '--data', badBase64]), /<\*\*\s+554 5\.6\.0 malformed MIME: base64/);
    await quiet();
    assert.equal(side.push.pushes.filter((p) => p.to.value === '+15550000003').length, 0);
    assert.equal(mm3Stats(side.t.mmsc)!.received, received);
  });

  it('deviations it can read are accepted, logged and counted', async () => {
    const warnings = mm3Stats(side.t.mmsc)!.decodeWarnings;
    const twoSubjects = dataFile('two-subjects.eml', ['From: alice@mail.example', `To: 15550000004@${DOMAIN}`, 'Subject: one', 'Subject: two', '', 'text', ''].join('\n'));
    assert.match(await swaks(side.port, ['--to', `15550000004@${DOMAIN}`, '--data', twoSubjects]), /<-\s+250 /);
    assert.ok(mm3Stats(side.t.mmsc)!.decodeWarnings > warnings);
    assert.match(await side.t.mmsc.registry.metrics(), /openmmsc_mm3_decode_warnings_total [1-9]/);
  });

  it('acceptTargets widens what mail may reach (here a VASP over MM7), never to another operator', async () => {
    const wide = await startSide(sink, { acceptTargets: ['local', 'mm7'] });
    try {
      assert.match(await swaks(wide.port, ['--to', `19990001@${DOMAIN}`, '--body', 'to the VASP']), /<-\s+250 2\.0\.0 accepted as MMS/);
      await waitFor('the VASP gets it', () => wide.mm7.delivered.includes('+19990001'));
      assert.match(await swaks(wide.port, ['--to', `16660000003@${DOMAIN}`, '--body', 'relay?']), /<\*\*\s+550 5\.7\.1 relaying denied/);
      assert.match(await swaks(side.port, ['--to', `19990002@${DOMAIN}`, '--body', 'to the VASP']), /<\*\*\s+550 5\.7\.1 relaying denied/, 'not by default');
    } finally {
      await wide.t.stop();
    }
  });
});
