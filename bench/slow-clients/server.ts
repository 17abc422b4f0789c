// The MMSC under attack, in its own process (so its descriptors are counted apart from the
// clients'): MM1 and MM4 with the default listener limits, embedded SQLite. Started by run.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMmsc, type KernelConfigInput } from '@openmmsc/core';
import mm1, { mm1Url } from '@openmmsc/plugin-mm1';
import mm4, { mm4Port } from '@openmmsc/plugin-mm4';
import pushLog from '@openmmsc/plugin-push-log';
import routerPrefix from '@openmmsc/plugin-router-prefix';

const PEER_A = 'mms.mnc001.mcc001.gprs';
const PEER_C = 'mms.mnc003.mcc001.gprs';
const OURS = 'mms.mnc002.mcc001.gprs';

const extra = JSON.parse(process.env.BENCH_KERNEL_CONFIG ?? '{}') as KernelConfigInput;
const dir = await mkdtemp(join(tmpdir(), 'openmmsc-bench-slow-'));
const mmsc = await createMmsc({
  config: { store: { type: 'sqlite', path: join(dir, 'store.sqlite') }, admin: { host: '127.0.0.1', port: 0 }, log: { level: 'error' }, ...extra },
  baseDir: dir,
  plugins: [
    { plugin: routerPrefix, options: { routes: [{ prefix: '+1555', target: 'local' }], unmatched: 'reject' } },
    { plugin: mm1, options: { port: 0 } },
    {
      plugin: mm4,
      options: {
        domain: OURS,
        server: { host: '127.0.0.1', port: 0 },
        peers: [
          { domain: PEER_A, host: '127.0.0.1', port: 9, addresses: ['127.0.0.2'] },
          { domain: PEER_C, host: '127.0.0.1', port: 9, addresses: ['127.0.0.3'] },
        ],
      },
    },
    pushLog,
  ],
});

const send = (msg: unknown) => process.send?.(msg);
send({ type: 'ready', mm1: mm1Url(mmsc), mm4: mm4Port(mmsc), pid: process.pid });
process.on('message', (msg: { type: string }) => {
  if (msg.type !== 'stop') return;
  void (async () => {
    await mmsc.stop();
    await rm(dir, { recursive: true, force: true });
    process.exit(0);
  })();
});
