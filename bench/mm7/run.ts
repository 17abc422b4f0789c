// MM7 benchmark: SubmitReq per second against the MMSC and, in the same run, against a bare
// node:http server reading the same bodies (the ceiling), with the ratio between them.
// The MMSC runs in this process; the bare server and the load generator each in their own.
// Run: node --import tsx --conditions=@openmmsc/source bench/mm7/run.ts [--requests 6000] [--rounds 3] [--concurrency 32] [--campaign 10000] [--headline-only] [--profile]
import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { jpeg, serve, type LoadResult, type PhaseSpec } from './load.js';
import { startMmsc } from './mmsc.js';
import type { Mmsc } from '@openmmsc/core';

const { values: args } = parseArgs({
  options: {
    load: { type: 'boolean', default: false },
    requests: { type: 'string', default: '6000' },
    concurrency: { type: 'string', default: '32' },
    campaign: { type: 'string', default: '10000' },
    'no-reference': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    'headline-only': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    // Worker processes of the MMSC node (runNode); above 1 the in-process kernel reference is skipped.
    workers: { type: 'string', default: '1' },
    // MM7 decoding threads per worker (the plugin's `decodeThreads`; default: the plugin's default).
    'decode-threads': { type: 'string' },
  },
});

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
// Children run the same TypeScript loader, never a profiler or inspector of ours.
const execArgv = process.execArgv.filter((a) => !a.startsWith('--cpu-prof') && !a.startsWith('--inspect'));

/** Forks a child that answers `{ type: 'ready', … }` once it can be used. */
async function child<T>(file: string, argv: string[] = []): Promise<{ proc: ChildProcess; ready: T }> {
  const proc = fork(file, argv, { execArgv });
  const ready = await new Promise<T>((resolve, reject) => {
    proc.once('message', (m) => resolve(m as T));
    proc.once('exit', (code) => reject(new Error(`${file} exited with ${code} before it was ready`)));
  });
  return { proc, ready };
}

function request<T>(proc: ChildProcess, msg: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`child exited with ${code}`));
    proc.once('exit', onExit);
    proc.once('message', (m) => {
      proc.off('exit', onExit);
      resolve(m as T);
    });
    proc.send(msg);
  });
}

async function main(): Promise<void> {
  const requests = Number(args.requests);
  const concurrency = Number(args.concurrency);
  const campaign = Number(args.campaign);
  // Bounded: whatever happens, the run ends.
  const watchdog = setTimeout(() => {
    console.error('bench/mm7: watchdog fired after 15 minutes');
    process.exit(2);
  }, 15 * 60_000);
  watchdog.unref();

  const server = await startMmsc({ dedupe: !process.env.MM7_BENCH_NO_DEDUPE, workers: Number(args.workers), decodeThreads: args['decode-threads'] === undefined ? undefined : Number(args['decode-threads']) });
  // A worker process of the node: it serves until the primary stops it.
  if (!server) return;
  let kernelRate = 0;
  if (!args['no-reference'] && server.mmsc) {
    await reference(server.mmsc, 300);
    await server.drain();
    kernelRate = await reference(server.mmsc, requests);
    // Let the reference's notify jobs run now, not during the MM7 load.
    await server.drain();
  }
  const bare = await child<{ url: string }>(here('./bare-server.ts'));
  const load = await child<object>(fileURLToPath(import.meta.url), ['--load']);
  const run = async (spec: PhaseSpec) => (await request<{ result: LoadResult }>(load.proc, { type: 'run', spec, concurrency })).result;

  console.log(`MM7 benchmark on ${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), Node ${process.version}; MMSC pid ${process.pid}, SQLite store, ${args.workers} worker(s), decodeThreads ${args['decode-threads'] ?? 'default'}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`load: SubmitReq at concurrency ${concurrency} (keep-alive) from a child process; MMSC ${server.url}, bare node:http ${bare.ready.url}`);

  const headline = { requests, recipients: 1, offset: 0, shape: 'jpeg36-base64', deferred: true } as const;
  await run({ ...headline, phase: 'warm-up (bare)', url: bare.ready.url, requests: 300 });
  await run({ ...headline, phase: 'warm-up (MMSC)', url: server.url, requests: 300, offset: 900_000 });
  // The ceiling and the MMSC take turns (`--rounds`), so both see the same background load.
  const rounds = Number(args.rounds);
  const per = Math.ceil(requests / rounds);
  const session = args.profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const ceilingRounds: LoadResult[] = [];
  const mmscRounds: LoadResult[] = [];
  let cpuMicros = 0;
  for (let r = 0; r < rounds; r++) {
    ceilingRounds.push(await run({ ...headline, phase: 'ceiling', url: bare.ready.url, requests: per }));
    const cpu = await server.cpuUs();
    mmscRounds.push(await run({ ...headline, phase: 'mmsc', url: server.url, requests: per, offset: r * per }));
    cpuMicros += (await server.cpuUs()) - cpu;
  }
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    await mkdir(here('./profiles'), { recursive: true });
    const file = here(`./profiles/mmsc-${Date.now()}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
    console.log(`CPU profile of the MMSC during the headline rounds: ${file}`);
  }
  const ceiling = combine('ceiling: bare node:http in its own process reading the same body', ceilingRounds);
  const main = combine('SubmitReq ≈50 KB (36 KB JPEG as base64), 1 recipient, delivery deferred 1 h (accepted + stored only)', mmscRounds);
  const results: LoadResult[] = [ceiling, main];
  if (!args['headline-only']) {
    results.push(await run({ phase: 'SubmitReq, 30 KB JPEG binary, 1 recipient, delivery deferred 1 h', url: server.url, requests, recipients: 1, offset: 100_000, shape: 'jpeg30-binary', deferred: true }));
    results.push(await run({ phase: 'SubmitReq, 30 KB JPEG binary, 1 recipient, notified at once (notify jobs run alongside)', url: server.url, requests, recipients: 1, offset: 200_000, shape: 'jpeg30-binary', deferred: false }));
  }
  if (campaign > 0 && !args['headline-only']) {
    results.push(await run({ phase: `campaign ${campaign} recipients, 1 per SubmitReq (text + 30 KB JPEG)`, url: server.url, requests: campaign, recipients: 1, offset: 300_000, shape: 'text+jpeg30-binary', deferred: false }));
    results.push(await run({ phase: `campaign ${campaign} recipients, 100 per SubmitReq (text + 30 KB JPEG)`, url: server.url, requests: Math.ceil(campaign / 100), recipients: 100, offset: 500_000, shape: 'text+jpeg30-binary', deferred: false }));
  }
  load.proc.send({ type: 'stop' });
  bare.proc.send({ type: 'stop' });

  for (const r of results) {
    const failed = Object.entries(r.failed).map(([k, v]) => `${k}×${v}`).join(', ') || 'none';
    console.log(`\n${r.phase}`);
    console.log(`  ${r.requests} requests of ${r.bodyBytes} bytes, ${r.recipients} recipients, ${r.ok} answered 1000; failures: ${failed}`);
    console.log(`  ${r.seconds.toFixed(2)} s → ${(r.requests / r.seconds).toFixed(0)} SubmitReq/s, ${(r.recipients / r.seconds).toFixed(0)} recipients/s; latency p50 ${r.p50} ms, p99 ${r.p99} ms`);
  }
  const rate = (r: LoadResult) => r.requests / r.seconds;
  console.log('');
  if (kernelRate) console.log(`reference: kernel submit in-process (no HTTP, no SOAP, no load process), 30 KB, delivery deferred: ${kernelRate.toFixed(0)} messages/s`);
  console.log(`ceiling (bare node:http, same body, same client, ${concurrency} connections, ${rounds} rounds taking turns with the MMSC): ${rate(ceiling).toFixed(0)} req/s`);
  console.log(`MM7 SubmitReq/s (≈50 KB, base64 image, accepted and stored): ${rate(main).toFixed(0)}  (goal ≥ 1000); MMSC CPU per SubmitReq ${(cpuMicros / 1000 / main.requests).toFixed(2)} ms`);
  console.log(`ratio MMSC / ceiling: ${(rate(main) / rate(ceiling)).toFixed(3)}  (goal ≥ 0.25); load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  await server.stop();
}

/** Rounds of one phase as one result (percentiles: the worst round's). */
function combine(phase: string, rounds: LoadResult[]): LoadResult {
  const failed: Record<string, number> = {};
  for (const r of rounds) for (const [k, v] of Object.entries(r.failed)) failed[k] = (failed[k] ?? 0) + v;
  const sum = (f: (r: LoadResult) => number) => rounds.reduce((a, r) => a + f(r), 0);
  const max = (f: (r: LoadResult) => number) => Math.max(...rounds.map(f));
  return { phase, requests: sum((r) => r.requests), recipients: sum((r) => r.recipients), bodyBytes: rounds[0]!.bodyBytes, ok: sum((r) => r.ok), failed, seconds: sum((r) => r.seconds), p50: max((r) => r.p50), p99: max((r) => r.p99) };
}

/** The kernel alone, in this process (no HTTP, no SOAP), the 30 KB message, delivery deferred. */
async function reference(mmsc: Mmsc, n: number): Promise<number> {
  const image = jpeg(30 * 1024);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < n) {
        const i = next++;
        await mmsc.submit({
          message: {
            headers: {
              from: mmsc.parseAddress('12345'),
              to: [mmsc.parseAddress(`+1556${String(1_000_000 + i).slice(-7)}`)],
              cc: [],
              bcc: [],
              deliveryTime: new Date(Date.now() + 3_600_000),
              contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} },
            },
            parts: [image],
          },
          origin: { interface: 'bench' },
        });
      }
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

if (args.load) serve();
else await main();
