// Fail-over bench: two MMSC nodes on one shared store, node A killed with `kill -9` while its
// notify jobs are in flight; measures when node B finishes each of them, seen from the SMSC.
// Run: node --import tsx --conditions=@openmmsc/source bench/takeover/run.ts [--help]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpClient, SimulatedHandset, SimulatedSmsc, startPostgres, startRedis, waitFor } from '@openmmsc/testkit';
import { startNode, type NodeProcess } from '../scale/node-process.js';
import { BearerRuns } from './bearer-runs.js';
import { summarise, type RoundResult } from './summary.js';

const { values: opt } = parseArgs({
  options: {
    stores: { type: 'string', default: 'redis,postgres' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '8' },
    messages: { type: 'string' },
    hold: { type: 'string', default: '500' },
    lease: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  process.stdout.write(`usage: run.ts [--stores redis,postgres] [--rounds 3] [--concurrency 8] [--messages 2×concurrency]
              [--hold 500]   (ms the SMSC takes to answer each submit_sm: keeps pushes in flight)
              [--lease 3s]   (the store's job lease; default: the store's own default, 3 s)
`);
  process.exit(0);
}
const STORES = opt.stores.split(',').map((s) => s.trim()).filter(Boolean);
for (const s of STORES) if (s !== 'redis' && s !== 'postgres') throw new Error(`--stores: redis or postgres, not ${s}`);
const ROUNDS = Math.max(1, Math.min(10, Number(opt.rounds)));
const CONCURRENCY = Number(opt.concurrency);
// Default: exactly enough for both nodes' notify slots, so node A holds a full set when it dies
// and node B has nothing else queued: the time measured is the take-over, not a backlog.
const MESSAGES = Number(opt.messages ?? 2 * CONCURRENCY);
const HOLD_MS = Number(opt.hold);
const GOAL_S = 5;
const HARD_LIMIT_MS = STORES.length * ROUNDS * 120_000;
const log = (s: string) => process.stderr.write(`${s}\n`);

setTimeout(() => {
  log(`bench/takeover exceeded ${HARD_LIMIT_MS} ms; giving up`);
  process.exit(2);
}, HARD_LIMIT_MS).unref();

async function serverFor(store: string, round: number): Promise<{ config: Record<string, unknown>; stop(): Promise<void> }> {
  const lease = opt.lease !== undefined ? { lease: opt.lease } : {};
  if (store === 'redis') {
    const redis = await startRedis({ persistence: 'always' });
    return { config: { type: 'redis', url: redis.url, prefix: `takeover${round}`, ...lease }, stop: () => redis.stop() };
  }
  const pg = await startPostgres();
  return { config: { type: 'postgres', url: pg.url, schema: `takeover${round}`, ...lease }, stop: () => pg.stop() };
}

async function round(store: string, n: number): Promise<RoundResult> {
  const server = await serverFor(store, n);
  const smsc = new SimulatedSmsc({ responseDelayMs: HOLD_MS });
  await smsc.start();
  const runs = new BearerRuns(smsc);
  const nodes: NodeProcess[] = [];
  const http = new HttpClient(MESSAGES);
  try {
    const kernelConfig = { jobs: { notify: { concurrency: CONCURRENCY } } };
    // A first, so that it is the one that creates the schema and the MM1 secret.
    nodes.push(await startNode('node-a', { store: server.config, smsc, kernelConfig }));
    nodes.push(await startNode('node-b', { store: server.config, smsc, kernelConfig }));
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    // Submissions go to node A over MM1; the queue hands the notify jobs to whichever node claims them.
    const results = await Promise.all(
      Array.from({ length: MESSAGES }, (_, i) =>
        new SimulatedHandset({ msisdn: `+1555000${String(i).padStart(4, '0')}`, mmscUrl: a.mm1, http, record: false }).send({
          to: `+1555100${String(i).padStart(4, '0')}`,
          text: `take-over ${n}/${i}`,
        }),
      ),
    );
    const accepted = results.filter((r) => r.status === 'ok').length;
    if (accepted !== MESSAGES) throw new Error(`node A accepted ${accepted} of ${MESSAGES}`);
    const aRuns = () => [...runs.byJob.values()].filter((rs) => rs.some((r) => r.node === 'node-a')).length;
    const want = Math.min(CONCURRENCY, MESSAGES);
    await waitFor('node A pushing its share', () => aRuns() >= want || runs.byJob.size >= MESSAGES, { timeoutMs: 30_000, intervalMs: 5 });
    const killedAt = Date.now();
    await a.kill();
    const inFlight = runs.inFlight('node-a', killedAt);
    const jobs = () => [...runs.byJob.keys()];
    await waitFor(
      'every job finished by a live node',
      () => runs.byJob.size >= MESSAGES && jobs().every((j) => runs.completed(j, 'node-a', killedAt)),
      { timeoutMs: 60_000, intervalMs: 20 },
    ).catch(() => undefined);
    // A moment for a late second run to show.
    await sleep(Math.max(1000, HOLD_MS * 2));
    await b.stop();
    const takeover = inFlight.map((job) => {
      const done = runs.completed(job, 'node-a', killedAt);
      const rerun = runs.byJob.get(job)?.find((r) => r.node !== 'node-a');
      return { job, startedS: rerun ? (rerun.firstAt - killedAt) / 1000 : NaN, completedS: done ? (done.answeredAt - killedAt) / 1000 : NaN };
    });
    const unfinished = jobs().filter((j) => !runs.completed(j, 'node-a', killedAt)).length + Math.max(0, MESSAGES - runs.byJob.size);
    // At-least-once allows a second run of a job the kill interrupted: in flight at the SMSC, or
    // answered so shortly before the kill (< 100 ms) that A may not have recorded it yet.
    let interruptedTwice = 0;
    let beyond = 0;
    for (const rs of runs.byJob.values()) {
      if (rs.length < 2) continue;
      const interrupted = rs[0]!.node === 'node-a' && rs[0]!.answeredAt > killedAt - 100 && rs.length === 2;
      if (interrupted) interruptedTwice++;
      else {
        beyond++;
        const at = (t: number) => `${((t - killedAt) / 1000).toFixed(2)} s`;
        log(`    ran twice, not by the kill: ${rs.map((r) => `${r.node} ${at(r.firstAt)}→${at(r.answeredAt)}`).join(', ')} (from the kill)`);
      }
    }
    return { store, round: n, messages: MESSAGES, inFlight: inFlight.length, takeover, unfinished, interruptedTwice, beyond, undecodable: runs.undecodable };
  } finally {
    http.close();
    runs.close();
    for (const node of nodes) await node.kill();
    await smsc.stop();
    await server.stop();
  }
}

async function main(): Promise<void> {
  log(`bench/takeover: stores ${STORES.join(', ')}, ${ROUNDS} rounds, ${MESSAGES} messages, notify concurrency ${CONCURRENCY} per node, SMSC answers after ${HOLD_MS} ms, lease ${opt.lease ?? 'default (3 s)'}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const results: RoundResult[] = [];
  for (const store of STORES) {
    for (let n = 1; n <= ROUNDS; n++) {
      const r = await round(store, n);
      const done = r.takeover.map((t) => t.completedS).filter(Number.isFinite);
      log(`  ${store} round ${n}: ${r.inFlight} jobs of node A in flight at the kill, finished on B after ${done.map((x) => x.toFixed(2)).join(' ')} s`);
      results.push(r);
    }
  }
  process.stdout.write(summarise(results, { goalS: GOAL_S, holdMs: HOLD_MS, lease: opt.lease ?? '3s (default)', loadavg: loadavg() }));
}

await main();
process.exit(0);
