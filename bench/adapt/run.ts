/**
 * MM11 adaptation off the sender's path, through MM1: a ~10 MB message (a 12 MP photo and a
 * 720p video) sent by a handset to local handsets in the 300 KB class.
 *
 *   node --import tsx --conditions=@openmmsc/source bench/adapt/run.ts [--sends 8] [--warmup 2] [--fetches 30] [--inline 2] [--only image|video]
 *
 * Prints m-send-conf p50/p99, time until the variant is ready, how long the handset that fetches
 * at once (on its notification) waits, retrieval of a ready variant p50/p99, the goal ratios, and
 * the same for the old path (`afterStore.enabled: false`: adapted while the sender waits). The
 * reference is a bare node:http server taking the same bodies in, at the start and at the end.
 * Also how long the event loop's thread waited on the run queue for a core during the sends
 * (Linux schedstat): what background adaptation takes from the loop that answers handsets.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { decodePdu, encodePdu } from '@openmmsc/codec';
import mm1, { mm1Url } from '@openmmsc/plugin-mm1';
import mm11 from '@openmmsc/plugin-mm11';
import routerPrefix from '@openmmsc/plugin-router-prefix';
import { buildSendReq, recordingPushBearer, startTestMmsc, type TestMmsc } from '@openmmsc/testkit';
import { photo } from '../transcode/photo.js';

const { values: args } = parseArgs({
  options: {
    sends: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    fetches: { type: 'string', default: '30' },
    inline: { type: 'string', default: '2' },
    only: { type: 'string' },
  },
});
if (args.only !== undefined && args.only !== 'image' && args.only !== 'video') throw new Error('--only takes image or video');
const SENDS = Number(args.sends);
/** Sends before the measured ones on every path, bare server included: a process's first 10 MB bodies meet cold code and unmapped memory. */
const WARMUP = Number(args.warmup);
const FETCHES = Number(args.fetches);
const INLINE = Number(args.inline);
const CLASS = '300k';
const SENDER = '+15550000001';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' ');

/** One HTTP exchange on a fresh loopback connection, no Accept header (a handset that tells nothing). */
function http(method: 'GET' | 'POST', url: string, msisdn: string, body?: Buffer): Promise<{ status: number; body: Buffer; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'x-wap-network-client-msisdn': msisdn };
    if (body) Object.assign(headers, { 'content-type': 'application/vnd.wap.mms-message', 'content-length': String(body.length) });
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ms: performance.now() - t0 }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function sendReq(to: string, n: number, jpeg: Buffer, mp4: Buffer): Buffer {
  const attachments = [
    { contentType: 'image/jpeg', name: 'beach.jpg', data: jpeg },
    { contentType: 'video/mp4', name: 'clip.mp4', data: mp4 },
  ].filter((a) => !args.only || a.contentType.startsWith(`${args.only}/`));
  return encodePdu({ ...buildSendReq({ to, subject: 'holiday', text: 'the beach, and a clip', attachments }, '1.2'), transactionId: `adapt-bench-${n}` });
}

type Mode = 'after-store' | 'inline' | 'none';

async function start(mode: Mode): Promise<{ t: TestMmsc; url: string; pushes: ReturnType<typeof recordingPushBearer>['pushes'] }> {
  const push = recordingPushBearer();
  const t = await startTestMmsc({
    config: { limits: { maxMessageSize: '20MB' }, shutdown: { retrievalGrace: 0, graceMs: 2000 } },
    plugins: [
      { plugin: routerPrefix, options: { routes: [{ prefix: '+1555', target: 'local' }], unmatched: 'reject' } },
      { plugin: mm11, options: { targets: { local: mode === 'none' ? 'none' : CLASS }, uaprof: { fetch: false }, afterStore: { enabled: mode === 'after-store' } } },
      { plugin: mm1, options: { port: 0, limits: { maxMessageSize: '20MB', maxBody: '20MB' } } },
      push.plugin,
    ],
  });
  return { t, url: mm1Url(t.mmsc)!, pushes: push.pushes };
}

interface Run {
  conf: number[];
  /** Send → variant stored, first message. */
  ready: number;
  /** The fetch made on the first notification: how long it waited. */
  firstFetch: number;
  retrieval: number[];
  retrieveBytes: number;
  /** Event-loop delay while sending, p99 / max (ms): the loop that answers handsets. */
  loop: [number, number];
  /** Per send, how long the loop's thread waited on the run queue for a core (ms; empty without /proc). */
  runQueue: number[];
}

/** Time the main thread has spent runnable but waiting for a core, ns (Linux schedstat); NaN elsewhere. */
function runQueueWait(): number {
  try {
    return Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[1]);
  } catch {
    return NaN;
  }
}

async function run(mode: Mode, sends: number, fetches: number, jpeg: Buffer, mp4: Buffer, warmup = WARMUP): Promise<Run> {
  const { t, url, pushes } = await start(mode);
  try {
    const conf: number[] = [];
    const runQueue: number[] = [];
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    let first: { id: string; sentAt: number } | undefined;
    let readyAt = NaN;
    let firstFetch: Promise<{ status: number; body: Buffer; ms: number }> | undefined;
    const to = (i: number) => `+1555100${String(i).padStart(4, '0')}`;
    // Encoded before the clock starts: the handsets' work is not the MMSC's.
    const bodies = Array.from({ length: warmup + sends }, (_, i) => sendReq(to(i), i, jpeg, mp4));
    for (let i = 0; i < warmup + sends; i++) {
      if (i === warmup) loop.reset();
      const body = bodies[i]!;
      const sentAt = performance.now();
      const waited = runQueueWait();
      const res = await http('POST', `${url}/mms`, SENDER, body);
      if (i >= warmup) conf.push(res.ms);
      if (i >= warmup && !Number.isNaN(waited)) runQueue.push((runQueueWait() - waited) / 1e6);
      const pdu = decodePdu(res.body);
      if (pdu.messageType !== 'm-send-conf' || pdu.responseStatus !== 'ok') throw new Error(`send ${i}: ${res.status} ${JSON.stringify(pdu)}`);
      if (i === warmup && mode !== 'none') {
        first = { id: pdu.messageId!, sentAt };
        const id = pdu.messageId!;
        // The handset fetches as soon as its notification arrives (automatic retrieval).
        firstFetch = (async () => {
          while (!pushes.some((p) => p.notification.messageId === id)) await new Promise((r) => setTimeout(r, 5));
          const location = pushes.find((p) => p.notification.messageId === id)!.notification.contentLocation!;
          return http('GET', location, to(warmup));
        })();
        void (async () => {
          while (!(await t.mmsc.getVariant(id, CLASS))) await new Promise((r) => setTimeout(r, 20));
          readyAt = performance.now();
        })();
      }
    }
    loop.disable();
    const loopMs: [number, number] = [loop.percentile(99) / 1e6, loop.max / 1e6];
    if (mode === 'none') return { conf, ready: NaN, firstFetch: NaN, retrieval: [], retrieveBytes: 0, loop: loopMs, runQueue };
    const fetched = await firstFetch!;
    if (fetched.status !== 200) throw new Error(`first fetch: HTTP ${fetched.status}`);
    while (Number.isNaN(readyAt)) await new Promise((r) => setTimeout(r, 20));
    const location = pushes.find((p) => p.notification.messageId === first!.id)!.notification.contentLocation!;
    const retrieval: number[] = [];
    let retrieveBytes = 0;
    for (let i = 0; i < fetches; i++) {
      const r = await http('GET', location, to(warmup));
      if (r.status !== 200) throw new Error(`fetch ${i}: HTTP ${r.status}`);
      retrieval.push(r.ms);
      retrieveBytes = r.body.length;
    }
    return { conf, ready: readyAt - first!.sentAt, firstFetch: fetched.ms, retrieval, retrieveBytes, loop: loopMs, runQueue };
  } finally {
    await t.stop();
  }
}

/**
 * The same sends to a bare node:http server in this process that only takes each body in (into
 * one buffer of its Content-Length, as MM1 does) and answers: what moving 10 MB across loopback
 * costs on this machine before any MMSC work, the reference the 100 ms goal is read against.
 */
async function bare(sends: number, jpeg: Buffer, mp4: Buffer): Promise<number[]> {
  const server = createServer((req, res) => {
    const body = Buffer.allocUnsafe(Number(req.headers['content-length'] ?? 0));
    let at = 0;
    req.on('data', (c: Buffer) => {
      at += c.copy(body, at);
    });
    req.on('end', () => res.end(at === body.length ? 'stored' : 'short'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mms`;
    const bodies = Array.from({ length: WARMUP + sends }, (_, i) => sendReq(`+1555100${String(i).padStart(4, '0')}`, i, jpeg, mp4));
    const times: number[] = [];
    for (let i = 0; i < bodies.length; i++) {
      const res = await http('POST', url, SENDER, bodies[i]!);
      if (res.body.toString() !== 'stored') throw new Error(`bare send ${i}: ${res.body.toString()}`);
      if (i >= WARMUP) times.push(res.ms);
    }
    return times;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

const dir = mkdtempSync(join(tmpdir(), 'adapt-bench-'));
try {
  const jpeg = await photo(4000, 3000, 'jpeg');
  const clip = join(dir, 'clip.mp4');
  // 10 s of 720p H.264 + AAC at 5 Mbit/s: a phone-camera clip, to be cut down to the 300k class.
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-t', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '5M', '-c:a', 'aac', '-shortest', clip]);
  const mp4 = readFileSync(clip);
  const size = sendReq('+15551000000', 0, jpeg, mp4).length;
  const parts = [args.only !== 'video' && `photo 4000×3000 ${(jpeg.length / 1e6).toFixed(1)} MB`, args.only !== 'image' && `video 720p 10 s ${(mp4.length / 1e6).toFixed(1)} MB`].filter(Boolean).join(', ');
  console.log(`message: ${(size / 1e6).toFixed(1)} MB m-send-req (${parts}), class ${CLASS}`);
  console.log(`cores ${availableParallelism()}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

  // Same run, same machine state: the bare server, the floor (no adaptation at all), the new
  // path, the old one, and the bare server again (the machine drifts within a run).
  const bareStart = await bare(SENDS, jpeg, mp4);
  const floor = await run('none', SENDS, 0, jpeg, mp4);
  const after = await run('after-store', SENDS, FETCHES, jpeg, mp4);
  const before = INLINE > 0 ? await run('inline', INLINE, Math.min(FETCHES, 10), jpeg, mp4) : undefined;
  const bareEnd = await bare(SENDS, jpeg, mp4);
  const bareP99 = [pct(bareStart, 99), pct(bareEnd, 99)];

  const waits = (r: Run) => (r.runQueue.length ? `${r.runQueue.reduce((a, b) => a + b, 0).toFixed(0)} / ${Math.max(...r.runQueue).toFixed(1)} ms` : 'n/a');
  const row = (name: string, r: Run) =>
    `| ${name} | ${r.conf.length} | ${ms(pct(r.conf, 50))} | ${ms(pct(r.conf, 99))} | ${(r.ready / 1000).toFixed(1)} s | ${(r.firstFetch / 1000).toFixed(2)} s | ${ms(pct(r.retrieval, 50))} | ${ms(pct(r.retrieval, 99))} | ${(r.retrieveBytes / 1024).toFixed(0)} KB | ${r.loop[0].toFixed(0)} / ${r.loop[1].toFixed(0)} ms | ${waits(r)} |`;
  console.log('\n| path | sends | m-send-conf p50 | p99 | send → variant ready | first fetch waited | ready retrieval p50 | p99 | m-retrieve-conf | loop delay p99 / max | loop thread on the run queue, sum / max per send |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, times] of [['start', bareStart], ['end', bareEnd]] as const) {
    console.log(`| bare node:http, same bodies (${name}) | ${times.length} | ${ms(pct(times, 50))} | ${ms(pct(times, 99))} | — | — | — | — | — | — | — |`);
  }
  console.log(`| no adaptation (floor) | ${floor.conf.length} | ${ms(pct(floor.conf, 50))} | ${ms(pct(floor.conf, 99))} | — | — | — | — | — | ${floor.loop[0].toFixed(0)} / ${floor.loop[1].toFixed(0)} ms | ${waits(floor)} |`);
  console.log(row('after store (new)', after));
  if (before) console.log(row('while the sender waits (old, afterStore.enabled: false)', before));
  console.log(`\ngoal ratios (≤ 1 meets the goal): m-send-conf p99 / 100 ms = ${(pct(after.conf, 99) / 100).toFixed(2)}; ready retrieval p99 / 50 ms = ${(pct(after.retrieval, 99) / 50).toFixed(2)}`);
  console.log(`m-send-conf p99 with adaptation / without (same run) = ${(pct(after.conf, 99) / pct(floor.conf, 99)).toFixed(2)}`);
  console.log(`bare node:http p99 / 100 ms = ${bareP99.map((p) => (p / 100).toFixed(2)).join(' (start), ')} (end): above 1, this machine misses the goal before the MMSC does any work`);
  console.log(`m-send-conf p99 / bare p99 (start–end): floor ${bareP99.map((b) => (pct(floor.conf, 99) / b).toFixed(2)).join('–')}, after store ${bareP99.map((b) => (pct(after.conf, 99) / b).toFixed(2)).join('–')}`);
  console.log(`each send, ms (${WARMUP} warm-up sends before them not counted): bare ${list(bareStart)} | floor ${list(floor.conf)} | after store ${list(after.conf)}`);
  if (before) console.log(`old / new m-send-conf p50 = ${(pct(before.conf, 50) / pct(after.conf, 50)).toFixed(0)}×; load average now ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
