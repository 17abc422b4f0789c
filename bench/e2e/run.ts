// End-to-end MM1 benchmark: simulated handsets (this process) against an MMSC (a child process) on
// loopback. Run: node --import tsx --conditions=@openmmsc/source bench/e2e/run.ts [--help]
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { encodePdu } from '@openmmsc/codec';
import { openConsolePage } from './console-page.js';
import { printSummary, type RunFigures } from './summary.js';
import { buildSendReq, HttpClient, SimulatedHandset, SimulatedSmsc, startPostgres, startRedis, type HandsetMode } from '@openmmsc/testkit';
import { benchArgs } from '../args.js';

const opt = benchArgs(
  `usage: run.ts [--senders 50] [--concurrency 32] [--duration 15] [--size 30000] [--rate 500]
              [--rate-duration 10] [--ceiling-duration 5] [--mode immediate|fetch-acknowledge]
              [--kernel-config '{"jobs":{"notify":{"concurrency":64}}}'] [--smpp-window 64] [--profile]
              [--stores sqlite,redis,postgres]   (each in turn, same run; Redis with appendfsync always)
              [--workers 1,2]   (worker processes of the MMSC node, each count in turn, same run)
              [--console off|idle|open]   (the operator console on the admin server; open: a page polling it)
              [--console-poll-ms N]       (open: poll every N ms instead of the pages' own cadence)
`,
  {
    senders: '50',
    concurrency: '32',
    duration: '15',
    size: '30000',
    rate: '500',
    'rate-duration': '10',
    'ceiling-duration': '5',
    mode: 'immediate',
    'kernel-config': '{}',
    'smpp-window': '64',
    stores: 'sqlite',
    workers: '1',
    console: 'off',
    'console-poll-ms': '',
  },
  ['profile'],
);
const N = Number(opt.senders);
const C = Number(opt.concurrency);
const DURATION = Number(opt.duration) * 1000;
const SIZE = Number(opt.size);
const RATE = Number(opt.rate);
const RATE_DURATION = Number(opt['rate-duration']) * 1000;
const CEILING_DURATION = Number(opt['ceiling-duration']) * 1000;
const MODE = opt.mode as HandsetMode;
const CONSOLE = opt.console;
if (!['off', 'idle', 'open'].includes(CONSOLE)) throw new Error(`--console: off, idle or open, not ${CONSOLE}`);
const STORES = opt.stores.split(',').map((x) => x.trim()).filter(Boolean);
for (const s of STORES) if (!['sqlite', 'redis', 'postgres'].includes(s)) throw new Error(`unknown store ${s}: sqlite, redis or postgres`);
const WORKERS = opt.workers.split(',').map((x) => Number(x.trim()));
for (const w of WORKERS) if (!Number.isInteger(w) || w < 1 || w > 16) throw new Error(`--workers: whole numbers from 1 to 16, not ${opt.workers}`);
const HARD_LIMIT_MS = CEILING_DURATION + STORES.length * WORKERS.length * (DURATION + RATE_DURATION + 150_000);
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const execArgv = ['--import', 'tsx', '--conditions=@openmmsc/source'];

const watchdog = setTimeout(() => {
  process.stderr.write(`benchmark exceeded ${HARD_LIMIT_MS} ms; giving up\n`);
  process.exit(2);
}, HARD_LIMIT_MS);
watchdog.unref();

const log = (s: string) => process.stderr.write(`${s}\n`);

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Child {
  proc: ChildProcess;
  ready: Record<string, unknown>;
  request<T>(msg: { type: string }, reply: string): Promise<T>;
}

async function startChild(file: string, env: Record<string, string>, extraArgv: string[] = []): Promise<Child> {
  const proc = fork(here(file), [], { execArgv: [...execArgv, ...extraArgv], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
    proc.on('message', (m: Record<string, unknown>) => {
      if (m.type === 'ready') resolve(m);
    });
  });
  return {
    proc,
    ready,
    request<T>(msg: { type: string }, reply: string): Promise<T> {
      return new Promise<T>((resolve) => {
        const on = (m: Record<string, unknown>) => {
          if (m.type !== reply) return;
          proc.off('message', on);
          resolve(m as T);
        };
        proc.on('message', on);
        proc.send(msg);
      });
    },
  };
}

/**
 * Each m-send-req gets its own transaction id: the same sender repeating one would be a
 * retransmission, answered with the first m-send-conf and not stored again.
 */
const TID_DIGITS = '0000000000';
let sent = 0;
function withTransactionId(template: Buffer, n: number): Buffer {
  const body = Buffer.from(template);
  const at = body.indexOf(TID_DIGITS);
  body.write(String(n).padStart(TID_DIGITS.length, '0'), at, 'latin1');
  return body;
}

function sendReqBody(to: string, size: number, tid: string): Buffer {
  const image = Buffer.alloc(size);
  for (let i = 0; i < size; i++) image[i] = (i * 131 + 7) & 0xff;
  const pdu = buildSendReq({ to, subject: 'bench', text: 'benchmark message', attachments: [{ contentType: 'image/jpeg', name: 'photo.jpg', data: image }] }, '1.2');
  return encodePdu({ ...pdu, transactionId: tid });
}

// --- 1. the ceiling: a bare fastify POST route of the same body size -----------------------------

async function ceiling(): Promise<{ rps: number; p50: number; p99: number }> {
  const child = await startChild('./bare-server.ts', {});
  const url = `${child.ready.url as string}/mms`;
  const http = new HttpClient(C);
  const body = sendReqBody('+15551000000', SIZE, 'ceiling');
  const lat: number[] = [];
  // warm-up
  const warmEnd = Date.now() + 1000;
  await Promise.all(Array.from({ length: C }, async () => {
    while (Date.now() < warmEnd) await http.send(url, { method: 'POST', body, headers: { 'content-type': 'application/vnd.wap.mms-message' } });
  }));
  let done = 0;
  const start = performance.now();
  const end = Date.now() + CEILING_DURATION;
  await Promise.all(Array.from({ length: C }, async () => {
    while (Date.now() < end) {
      const t = performance.now();
      const r = await http.send(url, { method: 'POST', body, headers: { 'content-type': 'application/vnd.wap.mms-message' } });
      if (r.status === 200) done++;
      lat.push(performance.now() - t);
    }
  }));
  const secs = (performance.now() - start) / 1000;
  http.close();
  await child.request({ type: 'stop' }, 'stopped');
  lat.sort((a, b) => a - b);
  return { rps: done / secs, p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

// --- 2. the MMSC --------------------------------------------------------------------------------

interface Counters {
  accepted: number;
  refused: number;
  notified: number;
  retrieved: number;
  completed: number;
  errors: number;
  lastNotified: number;
  lastRetrieved: number;
  lastCompleted: number;
}

type Figures = RunFigures;

/** The store's server for one run (none for SQLite), started here and stopped after. */
async function backendFor(name: string): Promise<{ store?: unknown; stop(): Promise<void> }> {
  if (name === 'redis') {
    // The documented production setting: every acknowledged write is in the AOF, fsynced.
    const redis = await startRedis({ persistence: 'always' });
    return { store: { type: 'redis', url: redis.url, prefix: 'bench' }, stop: () => redis.stop() };
  }
  if (name === 'postgres') {
    const pg = await startPostgres();
    return { store: { type: 'postgres', url: pg.url, schema: 'bench' }, stop: () => pg.stop() };
  }
  return { stop: async () => {} };
}

async function main(): Promise<void> {
  log(`bench/e2e: ${N} sender/receiver pairs, ${SIZE}-byte messages, closed loop ${C} concurrent for ${DURATION / 1000}s, then ${RATE}/s for ${RATE_DURATION / 1000}s; handsets answer '${MODE}'; stores ${STORES.join(', ')}; workers ${WORKERS.join(', ')}`);
  log('1/3 ceiling: bare fastify POST route …');
  const bare = await ceiling();
  log(`    ${bare.rps.toFixed(0)} req/s`);
  const results: Figures[] = [];
  for (const name of STORES) {
    for (const workers of WORKERS) {
      const backend = await backendFor(name);
      try {
        results.push(await measure(name, backend.store, bare, workers));
      } finally {
        await backend.stop();
      }
    }
  }
  // Again at the end: on a shared machine the ceiling drifts (it has halved between runs minutes
  // apart), so the ratio is printed against both ends of the run, not one moment of it.
  log('ceiling again, after the MMSC runs …');
  const closing = await ceiling();
  log(`    ${closing.rps.toFixed(0)} req/s`);
  printSummary(results, RATE, closing.rps);
}

async function measure(storeName: string, store: unknown, bare: { rps: number; p50: number; p99: number }, workers: number): Promise<Figures> {
  log(`2/3 store ${storeName}, ${workers} worker(s)`);
  const smsc = new SimulatedSmsc();
  await smsc.start();
  const kernelConfig = opt['kernel-config'];
  const mmscChild = await startChild(
    './mmsc-server.ts',
    {
      BENCH_SMSC_PORT: String(smsc.port),
      BENCH_KERNEL_CONFIG: kernelConfig,
      BENCH_SMPP_WINDOW: opt['smpp-window'],
      BENCH_WORKERS: String(workers),
      ...(store ? { BENCH_STORE: JSON.stringify(store) } : {}),
      ...(CONSOLE !== 'off' ? { BENCH_CONSOLE_PASSWORD: 'bench-console-password' } : {}),
    },
    opt.profile ? ['--cpu-prof', '--cpu-prof-dir', here('./profiles')] : [],
  );
  const mm1 = `${mmscChild.ready.mm1 as string}/mms`;
  const pollMs = opt['console-poll-ms'] ? Number(opt['console-poll-ms']) : undefined;
  const page = CONSOLE === 'open' ? await openConsolePage(mmscChild.ready.admin as string, pollMs) : undefined;
  if (page) process.stdout.write(`    console page open, polling every ${page.everyMs} ms\n`);
  const stopPolling = page?.stop ?? (() => {});
  // CPU per message is counted from here: the load's own cost, not the node's start or a log-in.
  await mmscChild.request({ type: 'mark' }, 'marked');
  // The load's own CPU shares the machine with the MMSC: what is left of the cores is the budget.
  const loadCpuAtMark = process.cpuUsage();
  const senderHttp = new HttpClient(C + 8);
  const receiverHttp = new HttpClient(64);
  const c: Counters = { accepted: 0, refused: 0, notified: 0, retrieved: 0, completed: 0, errors: 0, lastNotified: 0, lastRetrieved: 0, lastCompleted: 0 };
  const senders: SimulatedHandset[] = [];
  const receivers = new Map<string, SimulatedHandset>();
  const bodies: Buffer[] = [];
  for (let i = 0; i < N; i++) {
    const a = `+1555000${String(i).padStart(4, '0')}`;
    const b = `+1555100${String(i).padStart(4, '0')}`;
    senders.push(new SimulatedHandset({ msisdn: a, mmscUrl: mm1, http: senderHttp, record: false }));
    const h = new SimulatedHandset({
      msisdn: b,
      mmscUrl: mm1,
      http: receiverHttp,
      record: false,
      mode: MODE,
      onEvent: (e) => {
        const now = performance.now();
        if (e.type === 'notification') {
          c.notified++;
          c.lastNotified = now;
        } else if (e.type === 'retrieved') {
          c.retrieved++;
          c.lastRetrieved = now;
        } else if (e.type === 'answered' && (e.pdu === 'm-notifyresp-ind' || e.pdu === 'm-acknowledge-ind') && e.httpStatus >= 200 && e.httpStatus < 300) {
          c.completed++;
          c.lastCompleted = now;
        } else if (e.type === 'error') c.errors++;
      },
    });
    receivers.set(b.slice(1), h);
    bodies.push(sendReqBody(b, SIZE, `bench${String(i).padStart(4, '0')}-${TID_DIGITS}`));
  }
  // One listener dispatches SMS by destination (instead of every handset filtering every SMS).
  smsc.on('submit', (sms) => receivers.get(sms.destinationAddr.replace(/\D/g, ''))?.onSms(sms));

  const sendOne = async (i: number, lat: number[], t0 = performance.now()) => {
    const r = await senders[i % N]!.sendRaw(withTransactionId(bodies[i % N]!, ++sent));
    lat.push(performance.now() - t0);
    if (r.status === 'ok') c.accepted++;
    else c.refused++;
  };

  // warm-up (JIT, SQLite caches, SMPP link)
  const warm: number[] = [];
  const warmEnd = Date.now() + 2000;
  await Promise.all(Array.from({ length: Math.min(C, 8) }, async (_, k) => {
    let i = k;
    while (Date.now() < warmEnd) await sendOne((i += 8), warm);
  }));
  await waitDrain(c, 15_000);
  const base = { ...c };

  log('2/3 throughput: closed loop …');
  const lat: number[] = [];
  const start = performance.now();
  const end = Date.now() + DURATION;
  let seq = 0;
  await Promise.all(Array.from({ length: C }, async () => {
    while (Date.now() < end) await sendOne(seq++, lat);
  }));
  const sendSecs = (performance.now() - start) / 1000;
  const atSendEnd = { ...c };
  await waitDrain(c, 60_000);
  const accepted = c.accepted - base.accepted;
  const completed = c.completed - base.completed;
  const notified = c.notified - base.notified;
  const retrieved = c.retrieved - base.retrieved;
  const spanSecs = (Math.max(c.lastCompleted, start) - start) / 1000;
  lat.sort((a, b) => a - b);
  const throughput = {
    acceptedPerSec: accepted / sendSecs,
    notifiedPerSec: notified / ((Math.max(c.lastNotified, start) - start) / 1000),
    retrievedPerSec: retrieved / ((Math.max(c.lastRetrieved, start) - start) / 1000),
    completedPerSec: completed / spanSecs,
    completedInWindowPerSec: (atSendEnd.completed - base.completed) / sendSecs,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    accepted,
    completed,
    refused: c.refused - base.refused,
    drainSecs: spanSecs - sendSecs,
  };
  log(`    accepted ${throughput.acceptedPerSec.toFixed(0)}/s, completed ${throughput.completedPerSec.toFixed(0)}/s`);

  log(`3/3 latency: open loop at ${RATE}/s …`);
  const before = { ...c };
  type Metrics = Array<{ name: string; values: Array<{ value: number; labels: Record<string, string | number> }> }>;
  const sendBuckets = (metrics: Metrics) => {
    const h = metrics.find((m) => m.name === 'openmmsc_mm1_request_duration_seconds');
    return new Map((h?.values ?? []).filter((v) => v.labels.kind === 'send' && v.labels.le !== undefined).map((v) => [String(v.labels.le), v.value]));
  };
  const serverBefore = sendBuckets((await mmscChild.request<{ metrics: Metrics }>({ type: 'stats' }, 'stats')).metrics);
  // The load process's own lag: a late timer here is latency the MMSC did not cause.
  const loadLoop = monitorEventLoopDelay({ resolution: 5 });
  loadLoop.enable();
  const lat2: number[] = [];
  const interval = 1000 / RATE;
  const t0 = performance.now();
  const total = Math.round((RATE * RATE_DURATION) / 1000);
  const inflight: Promise<void>[] = [];
  for (let k = 0; k < total; k++) {
    const due = t0 + k * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    inflight.push(sendOne(k, lat2, due));
  }
  await Promise.all(inflight);
  const rateSecs = (performance.now() - t0) / 1000;
  loadLoop.disable();
  const serverAfter = sendBuckets((await mmscChild.request<{ metrics: Metrics }>({ type: 'stats' }, 'stats')).metrics);
  // The MMSC's own histogram of the m-send-req it answered in phase 3: the bucket holding each percentile.
  const serverPercentile = (p: number): string => {
    const les = [...serverAfter.keys()].sort((a, b) => (a === '+Inf' ? 1 : b === '+Inf' ? -1 : Number(a) - Number(b)));
    const count = (serverAfter.get('+Inf') ?? 0) - (serverBefore.get('+Inf') ?? 0);
    for (const le of les) if ((serverAfter.get(le) ?? 0) - (serverBefore.get(le) ?? 0) >= (p / 100) * count) return le === '+Inf' ? '> 5 s' : `≤ ${Number(le) * 1000} ms`;
    return 'n/a';
  };
  await waitDrain(c, 60_000);
  lat2.sort((a, b) => a - b);
  const fixed = {
    offered: total / rateSecs,
    accepted: c.accepted - before.accepted,
    completed: c.completed - before.completed,
    p50: percentile(lat2, 50),
    p99: percentile(lat2, 99),
    max: lat2[lat2.length - 1] ?? NaN,
  };

  const stats = await mmscChild.request<{ maxRssKb: number; cpuUs?: number; loopUs?: number; metrics: Array<{ name: string; values: Array<{ value: number; labels: Record<string, string> }> }> }>({ type: 'stats' }, 'stats');
  const loadCpu = process.cpuUsage(loadCpuAtMark);
  stopPolling();
  for (const h of [...senders, ...receivers.values()]) await h.close();
  senderHttp.close();
  receiverHttp.close();
  await mmscChild.request({ type: 'stop' }, 'stopped');
  await smsc.stop();
  const loadRss = process.resourceUsage().maxRSS;

  const jobMetric = stats.metrics.find((m) => m.name === 'openmmsc_jobs_total');
  const line = (k: string, v: string) => process.stdout.write(`${k.padEnd(48)} ${v}\n`);
  process.stdout.write(`\n== OpenMMSC MM1 end-to-end benchmark, store ${storeName}, ${workers} worker(s) (loopback; load and MMSC share this machine's cores) ==\n`);
  line('cores / node', `${(await import('node:os')).availableParallelism()} / ${process.version}`);
  line('message', `${SIZE}-byte image + text, 1 recipient, handsets answer ${MODE}`);
  line('ceiling: bare fastify POST (same body) req/s', `${bare.rps.toFixed(0)}  (p50 ${bare.p50.toFixed(2)} ms, p99 ${bare.p99.toFixed(2)} ms, ${C} connections)`);
  line('accepted m-send-req/s (closed loop)', `${throughput.acceptedPerSec.toFixed(0)}  (${((throughput.acceptedPerSec / bare.rps) * 100).toFixed(1)}% of the ceiling)`);
  line('notifications pushed/s', throughput.notifiedPerSec.toFixed(0));
  line('completed retrievals/s', throughput.retrievedPerSec.toFixed(0));
  line('complete msg/s ÷ ceiling (goal ≥ 0.15)', (throughput.completedPerSec / bare.rps).toFixed(3));
  line('complete messages/s (sent→stored→notified→', `${throughput.completedPerSec.toFixed(0)}  (${throughput.completed}/${throughput.accepted} in ${(throughput.drainSecs + sendSecs).toFixed(1)} s; ${throughput.completedInWindowPerSec.toFixed(0)}/s while sending)`);
  line('  retrieved→acknowledged)', '');
  line('m-send-conf latency, closed loop', `p50 ${throughput.p50.toFixed(1)} ms, p99 ${throughput.p99.toFixed(1)} ms`);
  line(`m-send-conf latency at ${RATE}/s offered`, `p50 ${fixed.p50.toFixed(1)} ms, p99 ${fixed.p99.toFixed(1)} ms, max ${fixed.max.toFixed(1)} ms (offered ${fixed.offered.toFixed(0)}/s, completed ${fixed.completed}/${fixed.accepted})`);
  line(`  as the MMSC timed its answers (histogram)`, `p50 ${serverPercentile(50)}, p99 ${serverPercentile(99)}`);
  line(`  load process event-loop delay meanwhile`, `p99 ${(loadLoop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loadLoop.max / 1e6).toFixed(1)} ms`);
  line(workers > 1 ? 'peak RSS: MMSC node (sum of workers + primary) / load' : 'peak RSS: MMSC process / load process', `${(stats.maxRssKb / 1024).toFixed(0)} MB / ${(loadRss / 1024).toFixed(0)} MB`);
  // CPU time is less at the mercy of other load on the machine than throughput is.
  if (stats.cpuUs) line('MMSC CPU per accepted message (under load)', `${(stats.cpuUs / Math.max(1, c.accepted)).toFixed(0)} µs (${c.accepted} accepted)`);
  // The share of it that held an event loop (what answers handsets), the rest being threads'.
  if (stats.loopUs) line('  of which event loop busy', `${(stats.loopUs / Math.max(1, c.accepted)).toFixed(0)} µs`);
  const loadUs = (loadCpu.user + loadCpu.system) / Math.max(1, c.accepted);
  line('load process CPU per accepted message', `${loadUs.toFixed(0)} µs (simulated handsets and SMSC)`);
  // What this machine allows whatever the MMSC's scheduling: every core busy with the two
  // processes' CPU per message. The ratio above cannot exceed this bound's ratio here.
  const cores = (await import('node:os')).availableParallelism();
  const bound = stats.cpuUs ? (cores * 1e6) / (stats.cpuUs / Math.max(1, c.accepted) + loadUs) : NaN;
  if (stats.cpuUs) line('machine bound: cores ÷ (MMSC + load CPU/msg)', `${bound.toFixed(0)} msg/s (÷ ceiling ${(bound / bare.rps).toFixed(3)})`);
  line('refused / handset errors', `${throughput.refused} / ${c.errors}`);
  if (jobMetric) line('kernel jobs', jobMetric.values.map((v) => `${v.labels.kind}:${v.labels.outcome}=${v.value}`).join(' '));
  if (opt.profile) line('CPU profile of the MMSC process', here('./profiles'));
  return { store: storeName, workers, ceiling: bare.rps, cpuUs: (stats.cpuUs ?? 0) / Math.max(1, c.accepted), loadUs, loopUs: (stats.loopUs ?? 0) / Math.max(1, c.accepted), acceptedPerSec: throughput.acceptedPerSec, completedPerSec: throughput.completedPerSec, p50: throughput.p50, p99: throughput.p99, fixedP99: fixed.p99 };
}

async function waitDrain(c: Counters, limitMs: number): Promise<void> {
  const until = Date.now() + limitMs;
  while (Date.now() < until && c.completed < c.accepted) await sleep(50);
}

await main();
process.exit(0);
