// The MMSC under test, in its own process: embedded SQLite store and queue (the defaults) or the
// store given as JSON in BENCH_STORE, MM1 on a free port, push over SMPP to the simulated SMSC in
// the load process. BENCH_WORKERS > 1: this process is the node's primary and the MMSC runs in
// that many worker processes (node:cluster re-runs this file in each). Started by run.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNode, type KernelConfigInput } from '@openmmsc/core';
import { mm1Url } from '@openmmsc/plugin-mm1';
import { benchLimits, mm1NodePlugins } from './mm1-node.js';
import consolePlugin, { hashPassword } from '@openmmsc/plugin-console';

const smscPort = Number(process.env.BENCH_SMSC_PORT);
const extra = JSON.parse(process.env.BENCH_KERNEL_CONFIG ?? '{}') as KernelConfigInput;
// Made once by the primary; its workers inherit the environment and so open the same store.
const dir = process.env.BENCH_DIR ?? (process.env.BENCH_DIR = await mkdtemp(join(tmpdir(), 'openmmsc-bench-e2e-')));
// BENCH_CONSOLE_PASSWORD set: the operator console is on, with one admin account of that password.
const consolePassword = process.env.BENCH_CONSOLE_PASSWORD;
const consolePlugins = consolePassword ? [{ plugin: consolePlugin, options: { accounts: [{ user: 'bench', role: 'admin' as const, passwordHash: await hashPassword(consolePassword) }] } }] : [];
const store = process.env.BENCH_STORE ? (JSON.parse(process.env.BENCH_STORE) as KernelConfigInput['store']) : { type: 'sqlite' as const, path: join(dir, 'store.sqlite') };
const node = await runNode({
  workers: Number(process.env.BENCH_WORKERS ?? 1),
  config: {
    store,
    admin: { host: '127.0.0.1', port: 0 },
    log: { level: 'warn' },
    limits: benchLimits,
    ...extra,
  },
  baseDir: dir,
  plugins: [...mm1NodePlugins({ port: smscPort, systemId: 'bench', window: Number(process.env.BENCH_SMPP_WINDOW ?? 10) }), ...consolePlugins],
  describe: (mmsc) => ({ mm1: mm1Url(mmsc), admin: mmsc.adminUrl }),
});

interface Stats {
  maxRssKb: number;
  cpuUs: number;
  /** Event-loop busy time (µs), summed over the node's processes. */
  loopUs: number;
  metrics: unknown[];
}

/** The node's figures: this process's MMSC, or the sum over the workers (metrics aggregated). */
async function stats(): Promise<Stats> {
  if (node.role === 'single') {
    const cpu = process.cpuUsage(cpuAtReady);
    return { maxRssKb: process.resourceUsage().maxRSS, cpuUs: cpu.user + cpu.system, loopUs: loopUs(), metrics: await node.mmsc.registry.getMetricsAsJSON() };
  }
  if (node.role !== 'primary') throw new Error('stats are asked of the primary');
  const workers = await node.stats();
  const own = process.cpuUsage(cpuAtReady);
  return {
    maxRssKb: workers.reduce((sum, w) => sum + w.maxRssKb, process.resourceUsage().maxRSS),
    cpuUs: workers.reduce((sum, w) => sum + w.cpuUs, own.user + own.system),
    loopUs: workers.reduce((sum, w) => sum + w.loopUs, loopUs()),
    metrics: await node.metrics(),
  };
}

// CPU from here on: loading and compiling the modules is not the cost of carrying messages.
const cpuAtReady = process.cpuUsage();
const loopAtReady = performance.eventLoopUtilization();
const loopUs = () => performance.eventLoopUtilization(loopAtReady).active * 1000;
// Moved by run.ts's `mark` to where the load starts: set-up it does before (a console log-in) is not counted either.
let cpuAtMark = 0;
let loopAtMark = 0;
// A worker's part ends here: the primary talks to run.ts.
if (node.role !== 'worker') {
  let stopping = false;
  const send = (msg: unknown) => process.send?.(msg);
  send({ type: 'ready', ...node.info, dir, workers: node.role === 'primary' ? node.workers : 1 });
  process.on('message', (msg: { type?: string }) => {
    if (msg.type === 'stats') {
      void stats().then((s) => send({ type: 'stats', ...s, cpuUs: s.cpuUs - cpuAtMark, loopUs: s.loopUs - loopAtMark }));
    } else if (msg.type === 'mark') {
      void stats().then((s) => {
        cpuAtMark = s.cpuUs;
        loopAtMark = s.loopUs;
        send({ type: 'marked' });
      });
    } else if (msg.type === 'stop') {
      stopping = true;
      void (async () => {
        await node.stop();
        await rm(dir, { recursive: true, force: true });
        send({ type: 'stopped', maxRssKb: process.resourceUsage().maxRSS });
        process.exit(0);
      })();
    }
  });
  // run.ts gone without a `stop` (it failed or was killed): stop too, rather than stay behind
  // holding the ports, the store's files and the workers.
  process.once('disconnect', () => {
    if (stopping) return;
    const exit = setTimeout(() => process.exit(1), 10_000);
    void node
      .stop()
      .then(() => rm(dir, { recursive: true, force: true }))
      .finally(() => {
        clearTimeout(exit);
        process.exit(1);
      });
  });
}
