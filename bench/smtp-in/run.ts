// Mail in (MM4 from another MMSC, MM3 from the Internet): how long the event loop of the
// receiving MMSC is held while it reads large messages, with their MIME read on the loop
// (`decodeThreads: 0`) and on a thread (1).
//
//   node --import tsx --conditions=@openmmsc/source bench/smtp-in/run.ts [--interface mm4,mm3] [--size 5000000] [--messages 6] [--threads 0,1]
//
// A sender (a child process speaking SMTP by hand from 127.0.0.2: testkit's `sendSmtp`, one
// session per message, declaring SIZE as MTAs do) sends `--messages` messages one after another,
// each a photo of `--size` random bytes as base64 (an MM4_forward.REQ, or a plain e-mail to
// <msisdn>@domain); the MMSC (SQLite store, the interface on loopback) stores each and notifies
// its recipient. Printed per thread
// count, in turn in one run: the time from the end of DATA to the 250 (p50, max), and the MMSC's
// event-loop delay meanwhile (p99, max: what a handset's request arriving then would wait).
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { base64Lines, rawMail, recordingPushBearer, routeAllTo, sendSmtp, startTestMmsc, type RawPart } from '@openmmsc/testkit';
import type { MmscRuntime } from '@openmmsc/core';
import mm3, { mm3Port } from '@openmmsc/plugin-mm3';
import mm4, { mm4Port } from '@openmmsc/plugin-mm4';
import { benchArgs } from '../args.js';

const PEER = 'mms.mnc001.mcc001.gprs';
const US = 'mms.mnc002.mcc002.gprs';

/** What one interface's sender sends, and how the MMSC is set up for it. */
const INTERFACES = {
  mm4: {
    message: forward,
    mailFrom: `system-user@${PEER}`,
    rcptTo: `+16660000001/TYPE=PLMN@${US}`,
    plugin: (threads: number, maxSize: number) => ({ plugin: mm4, options: { domain: US, decodeThreads: threads, server: { host: '127.0.0.1', port: 0, maxMessageSize: maxSize }, peers: [{ domain: PEER, host: '127.0.0.1', port: 9, addresses: ['127.0.0.2'] }] } }),
    port: (mmsc: MmscRuntime) => mm4Port(mmsc)!,
  },
  mm3: {
    message: mail,
    mailFrom: 'alice@example.org',
    rcptTo: `+16660000001@${US}`,
    plugin: (threads: number, maxSize: number) => ({ plugin: mm3, options: { domain: US, decodeThreads: threads, relay: { host: '127.0.0.1', port: 9 }, server: { host: '127.0.0.1', port: 0, maxMessageSize: maxSize, allowedSources: ['127.0.0.2/32'] } } }),
    port: (mmsc: MmscRuntime) => mm3Port(mmsc)!,
  },
} as const;
type Interface = keyof typeof INTERFACES;

const photo = (size: number): RawPart => ({ headers: ['Content-Type: image/jpeg; name="p.jpg"', 'Content-Disposition: attachment; filename="p.jpg"', 'Content-Transfer-Encoding: base64'], body: base64Lines(randomBytes(size)) });

/** An e-mail to a subscriber with the photo attached. */
function mail(i: number, size: number): string {
  return rawMail(['From: Alice <alice@example.org>', `To: +16660000001@${US}`, `Subject: photo ${i}`, `Message-ID: <bench-${i}-${Date.now()}@example.org>`], [photo(size)]);
}

/** An MM4_forward.REQ from the peer's subscriber with the photo. */
function forward(i: number, size: number): string {
  return rawMail(
    [
      `From: +15550000001/TYPE=PLMN@${PEER}`,
      `To: +16660000001/TYPE=PLMN@${US}`,
      'X-Mms-3GPP-MMS-Version: 6.3.0',
      'X-Mms-Message-Type: MM4_forward.REQ',
      `X-Mms-Transaction-ID: bench-${i}`,
      `X-Mms-Message-ID: bench-${i}-${Date.now()}`,
      `X-Mms-Originator-System: system-user@${PEER}`,
    ],
    [photo(size)],
  );
}

/** The peer: messages one after another; reports ms from the end of each message's content to its 250. */
async function peer(iface: Interface, port: number, messages: number, size: number): Promise<number[]> {
  const { message, mailFrom, rcptTo } = INTERFACES[iface];
  const times: number[] = [];
  for (let i = 0; i < messages; i++) {
    const sent = await sendSmtp({ port, localAddress: '127.0.0.2', mailFrom, rcptTo: [rcptTo], data: message(i, size), declareSize: true });
    if (!sent.data.startsWith('250')) throw new Error(`message ${i}: ${sent.data}`);
    times.push(sent.answeredInMs!);
  }
  return times;
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

if (process.argv[2] === '--peer') {
  const [iface, ...rest] = process.argv.slice(3) as [Interface, string, string, string];
  const [port, messages, size] = rest.map(Number) as [number, number, number];
  process.send!(await peer(iface, port, messages, size));
  process.exit(0);
}

const args = benchArgs('usage: run.ts [--interface mm4,mm3] [--size 5000000] [--messages 6] [--threads 0,1]\n', { interface: 'mm4,mm3', size: '5000000', messages: '6', threads: '0,1' });
const rows: string[] = [];
for (const iface of args.interface.split(',') as Interface[]) for (const threads of args.threads.split(',').map(Number)) {
  const setup = INTERFACES[iface];
  const push = recordingPushBearer();
  const t = await startTestMmsc({
    config: { limits: { maxMessageSize: Number(args.size) * 2 } },
    plugins: [
      routeAllTo('local'),
      push.plugin,
      setup.plugin(threads, Number(args.size) * 2),
    ],
  });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const cpu = process.cpuUsage();
  loop.enable();
  const child = fork(fileURLToPath(import.meta.url), ['--peer', iface, String(setup.port(t.mmsc)), args.messages, args.size], { execArgv: process.execArgv });
  const times = await new Promise<number[]>((resolve, reject) => {
    child.once('message', (m) => resolve(m as number[]));
    child.once('exit', (code) => code !== 0 && reject(new Error(`peer exited with ${code}`)));
  });
  loop.disable();
  const used = process.cpuUsage(cpu);
  await t.stop();
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  rows.push(`| ${iface} | ${threads} | ${times.length} × ${(Number(args.size) / 1e6).toFixed(1)} MB | ${quantile(times, 0.5).toFixed(1)} / ${Math.max(...times).toFixed(1)} ms | ${ms(loop.percentile(99))} / ${ms(loop.max)} ms | ${((used.user + used.system) / 1000 / times.length).toFixed(1)} ms |`);
}
console.log(`Mail in, a photo of ${args.size} bytes as base64 per message, one session each; MMSC and sender on this machine`);
console.log('| interface | decodeThreads | messages | DATA end → 250 p50 / max | MMSC event-loop delay p99 / max | MMSC CPU per message (all threads) |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
