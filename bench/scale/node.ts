// One MMSC node of a cluster, in its own process: the shared store given as JSON in NODE_STORE
// (Redis or PostgreSQL), MM1 on a free loopback port, notifications over SMPP to the simulated
// SMSC of the load process, bound with system_id NODE_ID so the SMSC can tell the nodes apart.
// Started by bench/scale/run.ts and bench/takeover/run.ts; answers `stats` and `stop` over IPC.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMmsc, type KernelConfigInput } from '@openmmsc/core';
import { mm1Url } from '@openmmsc/plugin-mm1';
import { benchLimits, mm1NodePlugins } from '../e2e/mm1-node.js';

const id = process.env.NODE_ID ?? 'node';
const store = JSON.parse(process.env.NODE_STORE ?? 'null') as KernelConfigInput['store'];
if (!store) throw new Error('NODE_STORE: the shared store as JSON');
const extra = JSON.parse(process.env.NODE_KERNEL_CONFIG ?? '{}') as KernelConfigInput;
const dir = await mkdtemp(join(tmpdir(), `openmmsc-bench-${id}-`));
const mmsc = await createMmsc({
  config: {
    node: { id },
    store,
    admin: { enabled: false },
    log: { level: 'warn' },
    limits: benchLimits,
    ...extra,
  },
  baseDir: dir,
  plugins: mm1NodePlugins({ port: Number(process.env.NODE_SMSC_PORT), systemId: id, window: Number(process.env.NODE_SMPP_WINDOW ?? 64) }),
});

// CPU from here on: loading and compiling the modules is not the cost of carrying messages.
let cpuFrom = process.cpuUsage();
const send = (msg: unknown) => process.send?.(msg);
send({ type: 'ready', id, pid: process.pid, mm1: mm1Url(mmsc) });
process.on('message', (msg: { type: string }) => {
  if (msg.type === 'cpu-mark') {
    // The measured window starts now (after the warm-up).
    cpuFrom = process.cpuUsage();
    send({ type: 'cpu-marked' });
  } else if (msg.type === 'stats') {
    const cpu = process.cpuUsage(cpuFrom);
    send({ type: 'stats', id, cpuUs: cpu.user + cpu.system, rssKb: Math.round(process.memoryUsage().rss / 1024), maxRssKb: process.resourceUsage().maxRSS });
  } else if (msg.type === 'stop') {
    void (async () => {
      await mmsc.stop();
      await rm(dir, { recursive: true, force: true });
      send({ type: 'stopped' });
      process.exit(0);
    })();
  }
});
