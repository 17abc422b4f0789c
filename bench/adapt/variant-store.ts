/**
 * What keeping an adapted variant costs the event loop: `saveVariant` and `getVariant` of a
 * 290 KB variant (a photo fitted to the 300k class, and its text) in the embedded SQLite store.
 *
 *   node --import tsx --conditions=@openmmsc/source bench/adapt/variant-store.ts [--saves 40] [--gets 200]
 *
 * Prints, per call and per round, wall time and the time the event loop was busy
 * (`performance.eventLoopUtilization`): a retrieval of a ready variant pays the get each time.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createMessageStore, type MmsPart, type StoredMessage } from '@openmmsc/core';

const { values: args } = parseArgs({ options: { saves: { type: 'string', default: '40' }, gets: { type: 'string', default: '200' } } });
const SAVES = Number(args.saves);
const GETS = Number(args.gets);
const CLASSES = 4;

/** Per call: wall ms, and ms the event loop was busy. */
async function measure(n: number, call: (i: number) => Promise<unknown>): Promise<[number, number]> {
  const start = performance.eventLoopUtilization();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await call(i);
  return [(performance.now() - t0) / n, performance.eventLoopUtilization(start).active / n];
}

const dir = mkdtempSync(join(tmpdir(), 'variant-store-bench-'));
const store = await createMessageStore({ type: 'sqlite', path: join(dir, 'store.sqlite'), bodyFilesAbove: 64 * 1024 });
try {
  const message: StoredMessage = {
    id: 'bench1',
    headers: { from: { type: 'plmn', value: '+15550000001' }, to: [{ type: 'plmn', value: '+15550000002' }], cc: [], bcc: [], contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} } },
    origin: { interface: 'api' },
    receivedAt: Date.now(),
    expiresAt: Date.now() + 86_400_000,
    size: 1,
    partCount: 1,
    recipientCount: 0,
    attributes: {},
  };
  await store.save(message, [{ contentType: { type: 'text/plain', params: {} }, data: Buffer.from('x') }], []);
  const variant: MmsPart[] = [
    { contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, data: Buffer.from('the beach, and a clip') },
    { contentType: { type: 'image/jpeg', params: {} }, contentLocation: 'beach.jpg', data: randomBytes(290_000) },
  ];
  console.log(`variant of ${variant.reduce((n, p) => n + p.data.byteLength, 0)} bytes in ${variant.length} parts, ${CLASSES} classes; ${SAVES} saves, ${GETS} gets per round`);
  for (let round = 1; round <= 3; round++) {
    const save = await measure(SAVES, (i) => store.saveVariant('bench1', `c${i % CLASSES}`, variant));
    const get = await measure(GETS, async (i) => {
      if (!(await store.getVariant('bench1', `c${i % CLASSES}`))) throw new Error('variant missing');
    });
    console.log(`round ${round}: saveVariant ${save[0].toFixed(2)} ms wall, ${save[1].toFixed(2)} ms loop busy | getVariant ${get[0].toFixed(2)} ms wall, ${get[1].toFixed(2)} ms loop busy`);
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
