// MM4 inbound: how long the event loop of the receiving MMSC is held while it reads large
// messages, with their MIME read on the loop (`decodeThreads: 0`) and on a thread (1).
//
//   node --import tsx --conditions=@openmmsc/source bench/mm4/run.ts [--size 5000000] [--messages 6] [--threads 0,1]
//
// A peer MMSC (a child process speaking SMTP by hand from 127.0.0.2: testkit's `sendSmtp`, one
// session per message, declaring SIZE as MTAs do) sends `--messages` MM4_forward.REQ one after
// another, each a photo of `--size` random bytes as base64; the MMSC (SQLite store, MM4 on
// loopback) stores each and notifies its recipient. Printed per thread
// count, in turn in one run: the time from the end of DATA to the 250 (p50, max), and the MMSC's
// event-loop delay meanwhile (p99, max: what a handset's request arriving then would wait).
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { recordingPushBearer, routeAllTo, sendSmtp, startTestMmsc } from '@openmmsc/testkit';
import mm4, { mm4Port } from '@openmmsc/plugin-mm4';
import { benchArgs } from '../args.js';

const PEER = 'mms.mnc001.mcc001.gprs';
const US = 'mms.mnc002.mcc002.gprs';

function message(i: number, size: number): string {
  return [
    `From: +15550000001/TYPE=PLMN@${PEER}`,
    `To: +16660000001/TYPE=PLMN@${US}`,
    'X-Mms-3GPP-MMS-Version: 6.3.0',
    'X-Mms-Message-Type: MM4_forward.REQ',
    `X-Mms-Transaction-ID: bench-${i}`,
    `X-Mms-Message-ID: bench-${i}-${Date.now()}`,
    `X-Mms-Originator-System: system-user@${PEER}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: image/jpeg',
    'Content-Transfer-Encoding: base64',
    '',
    randomBytes(size).toString('base64').replace(/.{76}/g, '$&\r\n'),
    '--b--',
    '',
  ].join('\r\n');
}

/** The peer: messages one after another; reports ms from the end of each message's content to its 250. */
async function peer(port: number, messages: number, size: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < messages; i++) {
    const sent = await sendSmtp({ port, localAddress: '127.0.0.2', mailFrom: `system-user@${PEER}`, rcptTo: [`+16660000001/TYPE=PLMN@${US}`], data: message(i, size), declareSize: true });
    if (!sent.data.startsWith('250')) throw new Error(`message ${i}: ${sent.data}`);
    times.push(sent.answeredInMs!);
  }
  return times;
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

if (process.argv[2] === '--peer') {
  const [port, messages, size] = process.argv.slice(3).map(Number) as [number, number, number];
  process.send!(await peer(port, messages, size));
  process.exit(0);
}

const args = benchArgs('usage: run.ts [--size 5000000] [--messages 6] [--threads 0,1]\n', { size: '5000000', messages: '6', threads: '0,1' });
const rows: string[] = [];
for (const threads of args.threads.split(',').map(Number)) {
  const push = recordingPushBearer();
  const t = await startTestMmsc({
    config: { limits: { maxMessageSize: Number(args.size) * 2 } },
    plugins: [
      routeAllTo('local'),
      push.plugin,
      { plugin: mm4, options: { domain: US, decodeThreads: threads, server: { host: '127.0.0.1', port: 0, maxMessageSize: Number(args.size) * 2 }, peers: [{ domain: PEER, host: '127.0.0.1', port: 9, addresses: ['127.0.0.2'] }] } },
    ],
  });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const cpu = process.cpuUsage();
  loop.enable();
  const child = fork(fileURLToPath(import.meta.url), ['--peer', String(mm4Port(t.mmsc)), args.messages, args.size], { execArgv: process.execArgv });
  const times = await new Promise<number[]>((resolve, reject) => {
    child.once('message', (m) => resolve(m as number[]));
    child.once('exit', (code) => code !== 0 && reject(new Error(`peer exited with ${code}`)));
  });
  loop.disable();
  const used = process.cpuUsage(cpu);
  await t.stop();
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  rows.push(`| ${threads} | ${times.length} × ${(Number(args.size) / 1e6).toFixed(1)} MB | ${quantile(times, 0.5).toFixed(1)} / ${Math.max(...times).toFixed(1)} ms | ${ms(loop.percentile(99))} / ${ms(loop.max)} ms | ${((used.user + used.system) / 1000 / times.length).toFixed(1)} ms |`);
}
console.log(`MM4 inbound, photo of ${args.size} bytes as base64 per message, one peer session; MMSC and peer on this machine`);
console.log('| decodeThreads | messages | DATA end → 250 p50 / max | MMSC event-loop delay p99 / max | MMSC CPU per message (all threads) |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
