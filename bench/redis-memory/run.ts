// What one stored message costs in Redis memory: node --import tsx --conditions=@openmmsc/source bench/redis-memory/run.ts
// Starts a throw-away redis-server, submits messages through the kernel (store + jobs, as in
// production), waits until every recipient is notified (the state a message waits in until the
// handset fetches it), and divides the growth of `used_memory` by the number of messages.
import { createMmsc, definePlugin } from '@openmmsc/core';
import { buildMessage, redisCli, startRedis, waitFor } from '@openmmsc/testkit';

const N = Number(process.env.N ?? 300);
const cases: Array<{ kb: number; recipients: number }> = [
  { kb: 1, recipients: 1 },
  { kb: 30, recipients: 1 },
  { kb: 100, recipients: 1 },
  { kb: 30, recipients: 5 },
  { kb: 30, recipients: 20 },
];

const plugins = [
  definePlugin({
    name: 'local-router',
    version: '0.0.0',
    apiVersion: '^1.0.0',
    setup: () => ({ route: (ctx) => ctx.recipients.forEach((r) => ctx.route(r, { target: 'local' })) }),
  }),
  definePlugin({
    name: 'push-ok',
    version: '0.0.0',
    apiVersion: '^1.0.0',
    setup: (ctx) => ctx.provide('PushBearer', { name: 'push-ok', push: async () => ({ status: 'sent' }) }),
  }),
];

async function usedMemory(port: number): Promise<number> {
  const info = await redisCli(port, 'INFO', 'memory');
  return Number(info.find((l) => l.startsWith('used_memory:'))!.split(':')[1]);
}

const redis = await startRedis();
const rows: Array<{ kb: number; recipients: number; bytes: number }> = [];
try {
  for (const c of cases) {
    const mmsc = await createMmsc({
      config: { store: { type: 'redis', url: redis.url, prefix: `mem-${c.kb}-${c.recipients}`, durability: 'none' }, admin: { enabled: false }, log: { level: 'silent' } },
      plugins,
    });
    const to = Array.from({ length: c.recipients }, (_, i) => `+1555${String(i).padStart(7, '0')}`);
    const body = Buffer.alloc(c.kb * 1024, 7);
    // Warm up so client buffers and scripts are in place before the baseline.
    await mmsc.submit({ message: buildMessage({ to, parts: [{ contentType: { type: 'image/jpeg', params: {} }, data: body }] }), origin: { interface: 'api' } });
    await new Promise((r) => setTimeout(r, 300));
    const before = await usedMemory(redis.port);
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      const r = await mmsc.submit({ message: buildMessage({ to, parts: [{ contentType: { type: 'image/jpeg', params: {} }, data: body }] }), origin: { interface: 'api' } });
      ids.push(r.messageId);
    }
    await waitFor('all notified', async () => {
      for (const id of ids) if ((await mmsc.getRecipients(id)).some((r) => r.state !== 'notified')) return false;
      return true;
    }, { timeoutMs: 120_000, intervalMs: 200 });
    await new Promise((r) => setTimeout(r, 300));
    const after = await usedMemory(redis.port);
    rows.push({ ...c, bytes: (after - before) / N });
    await mmsc.stop();
  }
} finally {
  await redis.stop();
}

process.stdout.write('\n== Redis memory per stored message (notified, waiting for retrieval; expire job pending) ==\n');
process.stdout.write('content KB | recipients | bytes per message | bytes per KB of content\n');
for (const r of rows) process.stdout.write(`${String(r.kb).padStart(10)} | ${String(r.recipients).padStart(10)} | ${Math.round(r.bytes).toString().padStart(17)} | ${(r.bytes / r.kb).toFixed(0)}\n`);
const at = (kb: number, n: number) => rows.find((r) => r.kb === kb && r.recipients === n)!.bytes;
const perKb = (at(100, 1) - at(1, 1)) / 99;
const perRecipient = (at(30, 20) - at(30, 1)) / 19;
const base = at(1, 1) - perKb - perRecipient;
process.stdout.write(`fit: ${Math.round(base)} B + ${Math.round(perKb)} B per KB of content + ${Math.round(perRecipient)} B per recipient\n`);
