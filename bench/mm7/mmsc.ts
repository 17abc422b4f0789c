// The MMSC under test: MM7 plugin, SQLite store, a null push bearer, every `+…` number local.
// Everything that starts it is here, so a `--workers N` option can start N of them later.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMmsc, definePlugin, type Mmsc } from '@openmmsc/core';
import mm7, { mm7BaseUrl } from '@openmmsc/plugin-mm7';
import { PASSWORD } from './load.js';

export interface MmscUnderTest {
  /** The MM7 endpoint. */
  url: string;
  mmsc: Mmsc;
  /** Waits until no job is waiting or running. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export async function startMmsc(options: { dedupe: boolean }): Promise<MmscUnderTest> {
  const dir = await mkdtemp(join(tmpdir(), 'openmmsc-bench-mm7-'));
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
  const mmsc = await createMmsc({
    config: {
      store: { type: 'sqlite', path: join(dir, 'store.sqlite') },
      admin: { enabled: false },
      log: { level: 'warn' },
      limits: { maxRecipients: 10_000, maxMessageSize: '1MB' },
    },
    baseDir: dir,
    plugins: [localPhones, { plugin: mm7, options: { port: 0, ...(options.dedupe ? {} : { dedupeWindow: 0 }), vasps: [{ id: 'bench', password: PASSWORD, shortCodes: ['12345'], maxRecipients: 10_000 }] } }],
  });
  return {
    url: `${mm7BaseUrl(mmsc)}/mm7`,
    mmsc,
    async drain() {
      for (;;) {
        const c = await mmsc.queue.counts();
        if (c.waiting + c.active === 0) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      await mmsc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
