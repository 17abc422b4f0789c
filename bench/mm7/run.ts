// MM7 benchmark: SubmitReq per second (one recipient, 30 KB JPEG, accepted and stored) and the
// time a 10,000-recipient campaign takes until every recipient is accepted.
// The MMSC runs in this process; the load comes from a child process over 127.0.0.1.
// Run: node --import tsx --conditions=@openmmsc/source bench/mm7/run.ts [--requests 5000] [--concurrency 32]
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { definePlugin, runNode, type MmsPart } from '@openmmsc/core';
import { RELEASES, decodeMm7, encodeMm7, guessAddress, type SubmitReq } from '@openmmsc/mm7';
import mm7, { mm7BaseUrl } from '@openmmsc/plugin-mm7';
import { Pool } from 'undici';

const { values: args } = parseArgs({
  options: {
    load: { type: 'string' },
    requests: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '32' },
    campaign: { type: 'string', default: '10000' },
    'no-reference': { type: 'boolean', default: false },
    // Worker processes of the MMSC node (runNode); above 1 the in-process kernel reference is skipped.
    workers: { type: 'string', default: '1' },
  },
});

const PASSWORD = 'bench-password';

function jpeg(bytes: number): MmsPart {
  // A JPEG-shaped 30 KB body (SOI … EOI); the MMSC does not decode images on submit.
  const data = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 131 + 7) & 0xff;
  data.set([0xff, 0xd8, 0xff, 0xe0], 0);
  data.set([0xff, 0xd9], bytes - 2);
  return { contentType: { type: 'image/jpeg', params: {} }, contentId: 'photo', contentLocation: 'photo.jpg', data };
}

// --- load generator (child process) ------------------------------------------------------------

interface LoadResult {
  phase: string;
  requests: number;
  recipients: number;
  ok: number;
  failed: Record<string, number>;
  seconds: number;
  p50: number;
  p99: number;
}

async function load(url: string): Promise<void> {
  const concurrency = Number(args.concurrency);
  // A lean load generator (like wrk): the real encoder builds each request, but answers are only
  // scanned for their StatusCode (fully decoded when not 1000), so the load process stays light.
  const pool = new Pool(new URL(url).origin, { connections: concurrency, pipelining: 1 });
  const authorization = `Basic ${Buffer.from(`bench:${PASSWORD}`).toString('base64')}`;
  let tx = 0;
  const client = {
    async submit(o: { to: string[]; from: string; subject: string; parts: MmsPart[]; earliestDeliveryTime?: string }) {
      const body: SubmitReq = { type: 'SubmitReq', senderIdentification: { vaspId: 'bench', senderAddress: guessAddress(o.from) }, recipients: { to: o.to.map(guessAddress), cc: [], bcc: [] }, subject: o.subject };
      if (o.earliestDeliveryTime) body.earliestDeliveryTime = o.earliestDeliveryTime;
      const payload = encodeMm7({ release: RELEASES['REL-6-MM7-1-4'], transactionId: `b${++tx}`, body }, { parts: o.parts, transferEncoding: 'binary' });
      try {
        const res = await pool.request({ method: 'POST', path: new URL(url).pathname, headers: { 'content-type': payload.contentType, authorization, soapaction: '""' }, body: payload.body });
        const text = await res.body.text();
        const code = /StatusCode>(\d+)</.exec(text)?.[1];
        if (code === '1000') return { status: { code: 1000 } };
        const decoded = decodeMm7(String(res.headers['content-type'] ?? 'text/xml'), Buffer.from(text));
        return { status: decoded.envelope.fault?.detail?.status ?? (decoded.envelope.body as { status?: { code: number } }).status, httpStatus: res.statusCode };
      } catch (error) {
        return { error: (error as Error).message, httpStatus: 0 };
      }
    },
    close: () => pool.close(),
  };
  const image = jpeg(30 * 1024);
  const run = async (phase: string, requests: number, recipientsPer: (i: number) => string[], parts: MmsPart[], extra: { earliestDeliveryTime?: string } = {}): Promise<LoadResult> => {
    const latencies: number[] = [];
    const failed: Record<string, number> = {};
    let ok = 0;
    let recipients = 0;
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < requests) {
        const i = next++;
        const to = recipientsPer(i);
        const t0 = performance.now();
        const answer = await client.submit({ to, from: '12345', subject: 'bench', parts, ...extra });
        latencies.push(performance.now() - t0);
        recipients += to.length;
        const code = answer.status?.code;
        if (code === 1000) ok++;
        else {
          const key = code ? String(code) : ('error' in answer ? String(answer.error) : `HTTP ${answer.httpStatus}`);
          failed[key] = (failed[key] ?? 0) + 1;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0).toFixed(1));
    return { phase, requests, recipients, ok, failed, seconds, p50: pct(0.5), p99: pct(0.99) };
  };
  const number = (i: number) => `+1555${String(1_000_000 + i).slice(-7)}`;
  const results: LoadResult[] = [];
  await run('warm-up', 300, (i) => [number(i)], [image]);
  results.push(await run('SubmitReq, 1 recipient, 30 KB JPEG, delivery deferred 1 h (accepted + stored only)', Number(args.requests), (i) => [number(i)], [image], { earliestDeliveryTime: 'PT1H' }));
  results.push(await run('SubmitReq, 1 recipient, 30 KB JPEG, notified at once (notify jobs run alongside)', Number(args.requests), (i) => [number(100_000 + i)], [image]));
  const campaign = Number(args.campaign);
  const text: MmsPart = { contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, contentId: 'text', data: Buffer.from('Spring offer: 20% off this weekend.') };
  results.push(await run(`campaign ${campaign} recipients, 1 per SubmitReq (text + 30 KB JPEG)`, campaign, (i) => [number(200_000 + i)], [text, image]));
  results.push(await run(`campaign ${campaign} recipients, 100 per SubmitReq (text + 30 KB JPEG)`, campaign / 100, (i) => Array.from({ length: 100 }, (_, j) => number(400_000 + i * 100 + j)), [text, image]));
  await client.close();
  process.send!(results);
}

// --- the MMSC (this process) -------------------------------------------------------------------

async function main(): Promise<void> {
  // Made once by the primary; its workers (which re-run this file) inherit it and open the same store.
  const dir = process.env.MM7_BENCH_DIR ?? (process.env.MM7_BENCH_DIR = await mkdtemp(join(tmpdir(), 'openmmsc-bench-mm7-')));
  const localPhones = definePlugin({
    name: 'bench-local-phones',
    version: '0.0.0',
    apiVersion: '^1.0.0',
    setup(ctx) {
      ctx.provide('RoutingResolver', { name: 'bench-local-phones', resolve: async (a) => (a.type === 'plmn' ? { kind: 'route', route: { target: 'local' } } : undefined) });
      // Notifications are accepted and dropped: this measures MM7 ingress, not a push bearer.
      ctx.provide('PushBearer', { name: 'bench-null-push', push: async () => ({ status: 'sent' }) });
    },
  });
  const node = await runNode({
    workers: Number(args.workers),
    describe: (m) => ({ url: `${mm7BaseUrl(m)}/mm7` }),
    config: {
      store: { type: 'sqlite', path: join(dir, 'store.sqlite') },
      admin: { enabled: false },
      log: { level: 'warn' },
      limits: { maxRecipients: 10_000, maxMessageSize: '1MB' },
    },
    baseDir: dir,
    plugins: [localPhones, { plugin: mm7, options: { port: 0, ...(process.env.MM7_BENCH_NO_DEDUPE ? { dedupeWindow: 0 } : {}), vasps: [{ id: 'bench', password: PASSWORD, shortCodes: ['12345'], maxRecipients: 10_000 }] } }],
  });
  if (node.role === 'worker') return;
  const mmsc = node.role === 'single' ? node.mmsc : undefined;
  const url = node.info.url as string;
  // Reference: the kernel alone, in this process (no HTTP, no SOAP), same message shape.
  const image = jpeg(30 * 1024);
  const reference = async (n: number, concurrency: number) => {
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) {
          const i = next++;
          await mmsc!.submit({
            message: {
              headers: {
                from: mmsc!.parseAddress('12345'),
                to: [mmsc!.parseAddress(`+1556${String(1_000_000 + i).slice(-7)}`)],
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
  };
  const drain = async () => {
    for (;;) {
      if (!mmsc) return;
      const c = await mmsc.queue.counts();
      if (c.waiting + c.active === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  let kernelRate = 0;
  if (!args['no-reference'] && mmsc) {
    await reference(300, 32);
    await drain();
    kernelRate = await reference(Number(args.requests), 32);
  }
  // Let the notify jobs of the reference run now, not during the MM7 load.
  await drain();
  console.log(`MM7 benchmark on ${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), Node ${process.version}; MMSC pid ${process.pid}, SQLite store, ${args.workers} worker(s)`);
  console.log(`load: ${args.requests} SubmitReq at concurrency ${args.concurrency} from a child process to ${url}`);
  const child = fork(fileURLToPath(import.meta.url), ['--load', url, '--requests', args.requests!, '--concurrency', args.concurrency!, '--campaign', args.campaign!], {
    execArgv: process.execArgv,
  });
  const results = await new Promise<LoadResult[]>((resolve, reject) => {
    child.once('message', (m) => resolve(m as LoadResult[]));
    child.once('exit', (code) => (code ? reject(new Error(`load generator exited with ${code}`)) : undefined));
  });
  for (const r of results) {
    const failed = Object.entries(r.failed).map(([k, v]) => `${k}×${v}`).join(', ') || 'none';
    console.log(`\n${r.phase}`);
    console.log(`  ${r.requests} requests, ${r.recipients} recipients, ${r.ok} answered 1000; failures: ${failed}`);
    console.log(`  ${r.seconds.toFixed(2)} s → ${(r.requests / r.seconds).toFixed(0)} SubmitReq/s, ${(r.recipients / r.seconds).toFixed(0)} recipients/s; latency p50 ${r.p50} ms, p99 ${r.p99} ms`);
  }
  const main = results[0];
  if (kernelRate) console.log(`\nreference: kernel submit in-process (no HTTP, no SOAP, no load process), same message, delivery deferred: ${kernelRate.toFixed(0)} messages/s`);
  if (main) console.log(`SubmitReq/s (1 recipient, 30 KB JPEG, accepted and stored): ${(main.requests / main.seconds).toFixed(0)}  (target ≥ 1000)`);
  await node.stop();
  await rm(dir, { recursive: true, force: true });
}

if (args.load) await load(args.load);
else await main();
