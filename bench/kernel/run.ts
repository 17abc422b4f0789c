// Kernel throughput on the embedded default, without any protocol: submit → store → notify job →
// retrieved → delivered, all through the public runtime API. Bounded: N messages, then stops.
// Run: node --import tsx --conditions=@openmmsc/source bench/kernel/run.ts [messages] [concurrency]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMmsc, definePlugin } from '@openmmsc/core';
import { buildMessage } from '@openmmsc/testkit';

const total = Number(process.argv[2] ?? 3000);
const concurrency = Number(process.argv[3] ?? 32);
const dir = await mkdtemp(join(tmpdir(), 'openmmsc-bench-kernel-'));

let notified = 0;
let resolveAll: () => void = () => {};
const allDone = new Promise<void>((r) => (resolveAll = r));
let delivered = 0;
const body = Buffer.alloc(30 * 1024, 7);

const mmsc = await createMmsc({
  config: {
    store: { type: 'sqlite', path: join(dir, 'store.sqlite') },
    admin: { enabled: false },
    log: { level: 'warn' },
    jobs: { notify: { concurrency: 32 } },
  },
  plugins: [
    definePlugin({
      name: 'bench',
      version: '0.0.0',
      apiVersion: '^1.0.0',
      setup(ctx) {
        ctx.provide('PushBearer', {
          name: 'bench-push',
          push: async (req) => {
            notified++;
            // The handset fetches and acknowledges right away.
            queueMicrotask(async () => {
              const id = req.notification.messageId;
              await ctx.mmsc.getParts(id);
              await ctx.mmsc.transition(id, 0, 'retrieved', { by: 'bench' }).catch(() => undefined);
              await ctx.mmsc.transition(id, 0, 'delivered', { by: 'bench' }).catch(() => undefined);
              if (++delivered === total) resolveAll();
            });
            return { status: 'sent' };
          },
        });
        return {
          route: (m) => {
            for (const r of m.recipients) m.route(r, { target: 'local' });
          },
        };
      },
    }),
  ],
});

const latencies: number[] = [];
const started = performance.now();
const cpuAtStart = process.cpuUsage();
const loopAtStart = performance.eventLoopUtilization();
let next = 0;
async function worker() {
  while (next < total) {
    next++;
    const t0 = performance.now();
    const r = await mmsc.submit({
      message: buildMessage({ parts: [{ contentType: { type: 'image/jpeg', params: {} }, data: body }] }),
      origin: { interface: 'api' },
    });
    latencies.push(performance.now() - t0);
    if (r.status !== 'accepted') throw new Error(`not accepted: ${r.status}`);
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const acceptedAt = performance.now();
await allDone;
const doneAt = performance.now();
const cpu = process.cpuUsage(cpuAtStart);
const loopBusyMs = performance.eventLoopUtilization(loopAtStart).active;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(1);
console.log(`messages: ${total}, submit concurrency: ${concurrency}, 30 KB each`);
console.log(`accepted: ${(total / ((acceptedAt - started) / 1000)).toFixed(0)} msg/s; submit latency p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`);
console.log(`complete (stored, notified, retrieved, delivered): ${(total / ((doneAt - started) / 1000)).toFixed(0)} msg/s`);
// The event loop's share of it: what runs on the one thread the load (in this same loop) shares.
console.log(`CPU per message: ${((cpu.user + cpu.system) / total).toFixed(0)} µs (process), event loop busy ${((loopBusyMs * 1000) / total).toFixed(0)} µs`);
console.log(`peak RSS: ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
await mmsc.stop();
await rm(dir, { recursive: true, force: true });
