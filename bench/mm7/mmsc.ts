// The MMSC under test: MM7 plugin, SQLite store, a null push bearer, every `+…` number local.
// With `workers` above 1 it is a node of that many worker processes (runNode, node:cluster):
// each worker re-runs the bench script and gets `undefined` here, and must do nothing more.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin, runNode, type Mmsc } from '@openmmsc/core';
import mm7, { mm7BaseUrl } from '@openmmsc/plugin-mm7';
import { PASSWORD } from './load.js';

export interface MmscUnderTest {
  /** The MM7 endpoint. */
  url: string;
  /** The MMSC in this process (one worker only; with several it lives in the workers). */
  mmsc: Mmsc | undefined;
  /** CPU time the MMSC has used (µs): this process, or the workers' sum. */
  cpuUs(): Promise<number>;
  /** Waits until no job is waiting or running. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export async function startMmsc(options: { dedupe: boolean; workers: number; decodeThreads?: number | undefined }): Promise<MmscUnderTest | undefined> {
  // Made once by the primary; its workers inherit the variable and open the same store.
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
    workers: options.workers,
    describe: (m) => ({ url: `${mm7BaseUrl(m)}/mm7` }),
    config: {
      store: { type: 'sqlite', path: join(dir, 'store.sqlite') },
      admin: { enabled: false },
      log: { level: 'warn' },
      limits: { maxRecipients: 10_000, maxMessageSize: '1MB' },
    },
    baseDir: dir,
    plugins: [localPhones, { plugin: mm7, options: { port: 0, ...(options.dedupe ? {} : { dedupeWindow: 0 }), ...(options.decodeThreads !== undefined ? { decodeThreads: options.decodeThreads } : {}), vasps: [{ id: 'bench', password: PASSWORD, shortCodes: ['12345'], maxRecipients: 10_000 }] } }],
  });
  if (node.role === 'worker') return undefined;
  const mmsc = node.role === 'single' ? node.mmsc : undefined;
  return {
    url: node.info.url as string,
    mmsc,
    async cpuUs() {
      if (node.role === 'single') {
        const u = process.cpuUsage();
        return u.user + u.system;
      }
      return (await node.stats()).reduce((a, w) => a + w.cpuUs, 0);
    },
    async drain() {
      // With workers the queue lives in them; the phases defer delivery, so little is left to drain.
      for (;;) {
        if (!mmsc) return;
        const c = await mmsc.queue.counts();
        if (c.waiting + c.active === 0) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      await node.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
