/**
 * `openmmsc decode` on what peers send, spawning the real bin (bin/openmmsc.mjs, resolving to the
 * sources as the workspace tests run): truncated and corrupt PDUs give one line on stderr and exit
 * 1, --lenient salvages, WAP Push and SMS (binary or hex) decode down to the notification inside,
 * a closed pipe is not an error. Inputs are built here from raw octets, or are a real capture.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { corpusPath, readCorpus } from '@openmmsc/conformance';
import { hex as h, textz as t, uintvar as uv } from '@openmmsc/testkit/bytes';

const bin = fileURLToPath(new URL('../bin/openmmsc.mjs', import.meta.url));
/** Two SMS-DELIVER TPDUs with SMSC addresses (AT+CMGR hex lines) from python-messaging's tests. */
const CAPTURE = 'python-messaging/wap-push/sms-deliver-mms-notification-1.pdus.hex';
const cli = (...args: string[]) => spawnSync(process.execPath, [...process.execArgv, bin, ...args], { encoding: 'utf8', timeout: 60_000 });

/** An m-send-req from a handset: SMIL, then a JPEG whose part header declares 2,060 octets. */
function sendReq(): Buffer {
  const smil = Buffer.from('<smil><body><par><img src="cid:img"/></par></body></smil>');
  const jpeg = Buffer.concat([h('ffd8ffe0'), Buffer.alloc(2054, 0x41), h('ffd9')]);
  const e1h = Buffer.concat([t('application/smil'), h('c0 22'), t('<smil>')]);
  const e2h = Buffer.concat([h('9e c0 22'), t('<img>')]);
  return Buffer.concat([
    h('8c 80 98'), t('T1'), h('8d 92 89 01 81 97'), t('+15550001/TYPE=PLMN'),
    h('84 a3 02'), uv(e1h.length), uv(smil.length), e1h, smil, uv(e2h.length), uv(jpeg.length), e2h, jpeg,
  ]);
}

/** An m-notification-ind as an MMSC writes it. */
const notification = Buffer.concat([
  h('8c 82 98'), t('T-0001'), h('8d 92'),
  h('89 15 80'), t('+15550001/TYPE=PLMN'), // From
  h('8a 80 8e 02 0b b8'), // Message-Class personal, Message-Size 3000
  h('88 05 81 03 09 3a 80'), // Expiry: relative 604800 s
  h('83'), t('http://mmsc.example/m/abc'), // Content-Location
]);
/** Connectionless WSP Push: TID 1, Push, headers length 3, application/vnd.wap.mms-message, X-Wap-Application-Id mms.ua. */
const push = (body: Buffer): Buffer => Buffer.concat([h('01 06 03 be af 84'), body]);
/** SMS-DELIVER from +15550001, 8-bit data, UDH with 16-bit ports 2948 <- 9200. */
function smsDeliver(payload: Buffer): Buffer {
  const ud = Buffer.concat([h('06 05 04 0b 84 23 f0'), payload]);
  return Buffer.concat([h('44 08 91 51 55 00 10 00 04 42 10 10 21 43 65 00'), Buffer.from([ud.length]), ud]);
}

const noTrace = (stderr: string): void => assert.doesNotMatch(stderr, /\n\s+at |Error:|node:internal/, stderr);

describe('openmmsc decode: truncated and corrupt input', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openmmsc-decode-'));
    const pdu = sendReq();
    await writeFile(file('full.mms'), pdu);
    await writeFile(file('cut.mms'), pdu.subarray(0, 300));
    await writeFile(file('cut.hex'), pdu.subarray(0, 300).toString('hex').replace(/(.{64})/g, '$1\n'));
    await writeFile(file('uintvar.mms'), h('8c 84 8d 93 85 01 00 84 a3 81 80 80 80 80 80 01'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('the first 300 octets of an m-send-req: exit 1, one line naming the problem and its offset', () => {
    const r = cli('decode', file('cut.mms'));
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^error: \S+cut\.mms: mms: truncated at offset 120: part 1 data runs past the end: 2060 octets announced, 168 present\n$/);
    noTrace(r.stderr);
  });
  it('the same as hex text (wrapped lines): the same error', () => {
    const r = cli('decode', file('cut.hex'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /mms: truncated at offset 120: part 1 data runs past the end/);
  });
  it('a uintvar that never ends: exit 1, invalid-uintvar at its offset', () => {
    const r = cli('decode', file('uintvar.mms'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^error: \S+: mms: invalid-uintvar at offset 9: uintvar longer than 5 octets\n$/);
  });
  it('--lenient shows what can be salvaged, the problem as a warning on stderr', () => {
    const r = cli('decode', '--lenient', file('cut.mms'));
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { body: { parts: { contentType: { type: string, params: {} }; data: string }[] } };
    assert.deepEqual(json.body.parts.map((p) => [p.contentType.type, Buffer.from(p.data, 'base64').length]), [['application/smil', 57], ['image/jpeg', 168]]);
    assert.match(r.stderr, /^warning: \S+: mms: offset 120: part 1 data runs past the end: 2060 octets announced, 168 present; salvaged what is there\n$/);
  });
  it('the complete PDU decodes, binary and hex alike', async () => {
    await writeFile(file('full.hex'), (await readFile(file('full.mms'))).toString('hex'));
    const a = cli('decode', file('full.mms'));
    const b = cli('decode', file('full.hex'));
    assert.equal(a.status, 0, a.stderr);
    assert.equal(a.stderr, '');
    assert.equal(b.stdout, a.stdout);
    assert.equal((JSON.parse(a.stdout) as { messageType: string }).messageType, 'm-send-req');
  });
  it('a reader that closes the pipe early: exit 0, nothing on stderr (no EPIPE trace)', async () => {
    const big = Buffer.concat([h('8c 84 8d 93 85 01 00 84 a3 01 01'), uv(3_000_000), h('9e'), Buffer.alloc(3_000_000, 0x5a)]);
    await writeFile(file('big.mms'), big);
    const child = spawn(process.execPath, [...process.execArgv, bin, 'decode', file('big.mms')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });
});

describe('openmmsc decode: WAP Push and SMS down to the notification', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openmmsc-decode-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  type Out = { wapPush: { transactionId: number; applicationId: string; contentType: { type: string, params: {} } }; mms: Record<string, unknown>; sms?: Record<string, unknown>[] };
  const decoded = (...args: string[]): Out => {
    const r = cli('decode', ...args);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as Out;
  };

  it('a WAP Push (detected, or forced with --push), binary or hex', async () => {
    await writeFile(file('push.bin'), push(notification));
    await writeFile(file('push.hex'), push(notification).toString('hex').toUpperCase());
    for (const args of [[file('push.bin')], ['--push', file('push.bin')], [file('push.hex')]]) {
      const out = decoded(...args);
      assert.equal(out.wapPush.applicationId, 'x-wap-application:mms.ua');
      assert.equal(out.mms.messageType, 'm-notification-ind');
      assert.equal(out.mms.contentLocation, 'http://mmsc.example/m/abc');
      assert.equal(out.mms.messageSize, 3000);
    }
  });
  it('an SMS-DELIVER carrying the push (detected, or --sms), binary or hex on stdin', async () => {
    const sms = smsDeliver(push(notification));
    await writeFile(file('sms.bin'), sms);
    for (const args of [[file('sms.bin')], ['--sms', file('sms.bin')]]) {
      const out = decoded(...args);
      assert.equal(out.sms?.[0]?.originator, '+15550001');
      assert.deepEqual(out.sms?.[0]?.udh, { ports: { destination: 2948, source: 9200, ports16bit: true } });
      assert.equal(out.mms.transactionId, 'T-0001');
    }
    const r = spawnSync(process.execPath, [...process.execArgv, bin, 'decode', '-'], { input: sms.toString('hex'), encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as Out).mms.contentLocation, 'http://mmsc.example/m/abc');
  });
  it('a real two-segment capture (AT+CMGR hex lines with the SMSC address) reassembles to the notification', () => {
    const capture = corpusPath(CAPTURE);
    const out = decoded(capture);
    assert.deepEqual(out.sms?.map((s) => [s.originator, s.smsc, (s.udh as { concat: { reference: number; sequence: number } }).concat.sequence]), [
      ['88850100000018', '+447785016005', 1],
      ['88850100000018', '+447785016005', 2],
    ]);
    assert.equal(out.mms.transactionId, 'NOK5CiKcoTMYSG4MBSwAAsKv14FUHAAAAAAAA');
    assert.deepEqual(out.mms.from, { address: '+447785342749', type: 'PLMN' });
    assert.equal(out.mms.messageSize, 29696);
    assert.equal(out.mms.contentLocation, 'http://promms/servlets/NOK5CiKcoTMYSG4MBSwAAsKv14FUHAAAAAAAA');
  });
  it('segments given as separate files reassemble too; a missing one is an error, or a warning with --lenient', async () => {
    const capture = readCorpus(CAPTURE).toString('latin1');
    const [one, two] = capture.trim().split(/\r?\n/);
    await writeFile(file('seg1.bin'), Buffer.from(one!, 'hex'));
    await writeFile(file('seg2.hex'), two!);
    assert.equal(decoded('--sms', '--smsc', file('seg2.hex'), file('seg1.bin')).mms.messageType, 'm-notification-ind');
    const missing = cli('decode', '--sms', file('seg1.bin'));
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^error: \S+seg1\.bin: sms: the 1 segment\(s\) do not make a complete message\n$/);
    const lenient = cli('decode', '--sms', '--lenient', file('seg1.bin'));
    assert.equal(lenient.status, 0);
    assert.match(lenient.stderr, /^warning: .*do not make a complete message/);
  });
  it('a truncated push and a truncated notification inside a push: the layer and the offset', async () => {
    await writeFile(file('push-cut.bin'), h('01 06 1f be'));
    const a = cli('decode', '--push', file('push-cut.bin'));
    assert.equal(a.status, 1);
    assert.match(a.stderr, /^error: \S+: wap push: truncated at offset 2: headers length 31 runs past the end \(1 octets left\)\n$/);
    await writeFile(file('inner-cut.bin'), push(notification.subarray(0, 40)));
    const b = cli('decode', file('inner-cut.bin'));
    assert.equal(b.status, 1);
    assert.match(b.stderr, /^error: \S+: wap push > mms \(push body at offset 6\): truncated at offset \d+: /);
    noTrace(a.stderr + b.stderr);
  });
  it('input that is none of these: exit 1 saying so', async () => {
    await writeFile(file('text.txt'), 'hello, this is not a PDU\n');
    const r = cli('decode', file('text.txt'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /not an MMS PDU, a WAP Push or an SMS TPDU .*--mms, --push or --sms/);
  });
});
