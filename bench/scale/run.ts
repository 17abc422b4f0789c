// Scale-out bench: 1, 2, 3 … MMSC nodes on one Redis, driven round-robin over MM1, in one run;
// what grows, and what the shared Redis costs per complete message.
// Run: node --import tsx --conditions=@openmmsc/source bench/scale/run.ts [--help]
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { SimulatedSmsc, startRedis, waitFor } from '@openmmsc/testkit';
import { RoundRobinLoad } from './load.js';
import { startNodes, type NodeProcess, type NodeStats } from './node-process.js';
import { readInfo, redisCost } from './redis-info.js';
import { printPhase, printTable, type PhaseResult } from './report.js';
import { benchArgs } from '../args.js';

const opt = benchArgs(
  `usage: run.ts [--nodes 1,2,3] [--duration 10] [--concurrency 32] [--pairs 48] [--size 30000]
              [--stored 200]   (messages left waiting for retrieval, to weigh one stored message)
              [--persistence always|everysec|none]   (Redis AOF; always is the documented production setting)
              [--split-queue]   (the job queue on a second Redis: shows the queue's share of the cost)
`,
  {
    nodes: '1,2,3',
    duration: '10',
    concurrency: '32',
    pairs: '48',
    size: '30000',
    stored: '200',
    persistence: 'always',
  },
  ['split-queue'],
);
const COUNTS = opt.nodes.split(',').map(Number).filter((n) => n >= 1 && n <= 8);
const DURATION = Number(opt.duration) * 1000;
const C = Number(opt.concurrency);
const PAIRS = Number(opt.pairs);
const SIZE = Number(opt.size);
const STORED = Number(opt.stored);
const PERSISTENCE = opt.persistence as 'always' | 'everysec' | 'none';
const HARD_LIMIT_MS = COUNTS.length * (DURATION + 240_000);
const log = (s: string) => process.stderr.write(`${s}\n`);
setTimeout(() => {
  log(`bench/scale exceeded ${HARD_LIMIT_MS} ms; giving up`);
  process.exit(2);
}, HARD_LIMIT_MS).unref();

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

async function phase(count: number): Promise<PhaseResult> {
  log(`${count} node(s): starting Redis (appendfsync ${PERSISTENCE}) and the nodes …`);
  // No automatic AOF rewrite: the AOF's growth is one of the figures.
  const redisArgs = { persistence: PERSISTENCE, args: ['--auto-aof-rewrite-percentage', '0'] };
  const redis = await startRedis(redisArgs);
  const queueRedis = opt['split-queue'] ? await startRedis(redisArgs) : undefined;
  const smsc = new SimulatedSmsc();
  await smsc.start();
  let nodes: NodeProcess[] = [];
  let load: RoundRobinLoad | undefined;
  try {
    const store = { type: 'redis', url: redis.url, prefix: 'scale', durability: PERSISTENCE };
    const kernelConfig = queueRedis ? { queue: { ...store, url: queueRedis.url } } : {};
    nodes = await startNodes(Array.from({ length: count }, (_, i) => `node-${i + 1}`), { store, smsc, kernelConfig });
    load = new RoundRobinLoad({ smsc, mm1Urls: nodes.map((n) => n.mm1), pairs: PAIRS, concurrency: C, size: SIZE });
    // Warm-up: JIT, connections, the SMPP links.
    await load.closedLoop(Math.min(C, 8), 2000);
    await load.drain(30_000);
    // Idle cost (BullMQ's polling, lock and stalled checks, timers): subtracted to get the cost
    // that grows with messages.
    const idle = await idleCost(nodes, [redis.port, ...(queueRedis ? [queueRedis.port] : [])]);
    const before = { ...load.c };
    await Promise.all(nodes.map((n) => n.request('cpu-mark', 'cpu-marked')));
    const info0 = await readInfo(redis.port);
    const queueInfo0 = queueRedis && (await readInfo(queueRedis.port));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    log(`${count} node(s): closed loop, ${C} senders for ${DURATION / 1000} s …`);
    const lat = await load.closedLoop(C, DURATION);
    const sendSecs = (performance.now() - t0) / 1000;
    const drained = await load.drain(60_000);
    const wallSecs = (Math.max(load.c.lastCompletedAt, t0 + 1) - t0) / 1000;
    const info1 = await readInfo(redis.port);
    const queueInfo1 = queueRedis && (await readInfo(queueRedis.port));
    const loadCpu = process.cpuUsage(cpu0);
    const stats = await Promise.all(nodes.map((n) => n.request<NodeStats>('stats', 'stats')));
    const accepted = load.c.accepted - before.accepted;
    const completed = load.c.completed - before.completed;

    // One stored message: messages whose recipients never fetch (no handset answers them).
    log(`${count} node(s): ${STORED} messages left waiting for retrieval …`);
    const info2 = await readInfo(redis.port);
    const notified = () => new Set(smsc.submits.filter((s) => s.destinationAddr.includes('1555200')).map((s) => s.destinationAddr)).size;
    for (let i = 0; i < STORED; i += 16) {
      await Promise.all(Array.from({ length: Math.min(16, STORED - i) }, (_, k) => load!.sendOne(`+1555200${String(i + k).padStart(4, '0')}`)));
    }
    await waitFor('every waiting recipient notified', () => notified() >= STORED, { timeoutMs: 60_000, intervalMs: 50 }).catch(() => undefined);
    // The recipient's `notified` state is written right after the push is answered.
    await sleep(1000);
    const info3 = await readInfo(redis.port);

    return {
      nodes: count,
      accepted,
      completed,
      drained,
      acceptedPerSec: accepted / sendSecs,
      completedPerSec: completed / wallSecs,
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      refused: load.c.refused - before.refused,
      errors: load.c.errors - before.errors,
      wallSecs,
      nodeCpuUs: stats.map((s) => s.cpuUs),
      idleNodeCpuPerSec: idle.nodeCpuPerSec,
      idleRedisCpuPerSec: idle.redisCpuPerSec,
      nodeRssMb: stats.map((s) => s.maxRssKb / 1024),
      loadCpuUs: loadCpu.user + loadCpu.system,
      redis: redisCost(info0, info1),
      ...(queueInfo0 && queueInfo1 ? { queueRedis: redisCost(queueInfo0, queueInfo1) } : {}),
      storedBytesPerMessage: redisCost(info2, info3).usedMemoryBytes / STORED,
      storedNotified: notified(),
      redisVersion: info1.get('redis_version') ?? '?',
      aof: `${info1.get('aof_enabled') === '1' ? 'appendonly yes' : 'appendonly no'}`,
    };
  } finally {
    await load?.close();
    for (const n of nodes) await n.stop();
    await smsc.stop();
    await redis.stop();
    await queueRedis?.stop();
  }
}

const IDLE_MS = 3000;

/** CPU the nodes (µs per second, all together) and Redis (s per second) use with no traffic. */
async function idleCost(nodes: NodeProcess[], redisPorts: number[]): Promise<{ nodeCpuPerSec: number; redisCpuPerSec: number }> {
  await Promise.all(nodes.map((n) => n.request('cpu-mark', 'cpu-marked')));
  const before = await Promise.all(redisPorts.map((p) => readInfo(p)));
  const t0 = performance.now();
  await sleep(IDLE_MS);
  const after = await Promise.all(redisPorts.map((p) => readInfo(p)));
  const stats = await Promise.all(nodes.map((n) => n.request<NodeStats>('stats', 'stats')));
  const secs = (performance.now() - t0) / 1000;
  const redisCpu = before.reduce((a, b, i) => a + redisCost(b, after[i]!).cpuSeconds, 0);
  return { nodeCpuPerSec: stats.reduce((a, s) => a + s.cpuUs, 0) / secs, redisCpuPerSec: redisCpu / secs };
}

async function main(): Promise<void> {
  log(`bench/scale: nodes ${COUNTS.join(', ')}; ${PAIRS} sender/receiver pairs, ${SIZE}-byte image, ${C} concurrent senders for ${DURATION / 1000} s per phase; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const results: PhaseResult[] = [];
  for (const count of COUNTS) {
    const r = await phase(count);
    printPhase(r, SIZE);
    results.push(r);
  }
  printTable(results, { cores: availableParallelism(), size: SIZE, persistence: PERSISTENCE, loadavg: loadavg() });
}

await main();
process.exit(0);
