// What sharing the embedded store between worker processes costs, without HTTP or plugins: the
// store and queue operations of one complete message (save 30 KB, enqueue, four recipient moves
// with their reads, fetch the parts, finish the job), CPU time per message in
//   A  one process owning the files (record cache, transaction per event-loop turn),
//   B  one process opening them as a worker would (no cache, short batched transactions),
//   C  two processes sharing them (each half the messages).
// Run: node --import tsx --conditions=@openmmsc/source bench/e2e/store-sharing.ts [--messages 4000]
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createJobQueue, createMessageStore, type RecipientRecord, type StoredMessage } from '@openmmsc/core';

const { values: opt, positionals } = parseArgs({ options: { messages: { type: 'string', default: '4000' } }, allowPositionals: true });

interface Result {
  cpuUsPerMsg: number;
  perSec: number;
}

async function work(shared: boolean, path: string, count: number, tag: string): Promise<Result> {
  const store = await createMessageStore({ type: 'sqlite', path }, { shared });
  const queue = await createJobQueue({ type: 'sqlite', path: `${path}.queue` }, shared ? { owner: tag } : {});
  const body = Buffer.alloc(30_000, 7);
  const message = (id: string) =>
    ({ id, headers: { from: { type: 'plmn', value: '+1' }, to: [], cc: [], bcc: [], contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} } }, origin: { interface: 'mm1' }, receivedAt: 1, expiresAt: 2, size: 30_000, partCount: 1, recipientCount: 1, attributes: {} }) as unknown as StoredMessage;
  const recipient: RecipientRecord = { index: 0, address: { type: 'plmn', value: '+2' }, kind: 'to', state: 'received', history: [], attributes: {} };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const id = `${tag}-${next++}`;
        await store.save(message(id), [{ contentType: { type: 'image/jpeg', params: {} }, data: body }], [recipient]);
        await queue.enqueue({ id: `n-${id}`, kind: 'notify', data: { id }, maxAttempts: 3, backoff: { baseMs: 10, maxMs: 10, jitter: 0 } });
        for (const state of ['routed', 'notified', 'retrieved', 'delivered'] as const) {
          await store.getRecipients(id);
          await store.get(id);
          await store.updateRecipient(id, 0, (r) => ({ ...r, state, history: [...r.history, { state, at: Date.now(), by: 'bench' }] }));
        }
        await store.getParts(id);
        await queue.cancel(`n-${id}`);
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const ms = performance.now() - t0;
  await queue.close(0);
  await store.close();
  return { cpuUsPerMsg: (cpu.user + cpu.system) / count, perSec: count / (ms / 1000) };
}

const show = (label: string, r: Result) => process.stdout.write(`${label.padEnd(48)} ${r.cpuUsPerMsg.toFixed(0).padStart(5)} µs CPU/message  ${r.perSec.toFixed(0).padStart(5)} messages/s\n`);

if (positionals[0] === 'child') {
  process.send!(await work(true, positionals[1]!, Number(positionals[2]), `worker-${positionals[3]}`));
  process.exit(0);
}
const n = Number(opt.messages);
const dir = mkdtempSync(join(tmpdir(), 'openmmsc-store-sharing-'));
try {
  show('A one process, owns the files', await work(false, join(dir, 'a.sqlite'), n, 'a'));
  show('B one process, opened as a worker', await work(true, join(dir, 'b.sqlite'), n, 'worker-1'));
  const children = [1, 2].map((slot) => fork(process.argv[1]!, ['child', join(dir, 'c.sqlite'), String(n / 2), String(slot)], { execArgv: process.execArgv }));
  const results = await Promise.all(children.map((c) => new Promise<Result>((resolve) => c.once('message', (m) => resolve(m as Result)))));
  results.forEach((r, i) => show(`C two processes sharing them: worker ${i + 1}`, r));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
