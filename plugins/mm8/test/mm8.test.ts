import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { buildMessage, recordingPushBearer, startTestMmsc, waitFor } from '@openmmsc/testkit';
import { localPhones } from './helpers.js';
import mm8, { CDR_FIELDS, RotatingFileWriter, recoverOpenFiles, type Cdr } from '../src/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const fields: string[] = [];
    let i = 0;
    while (i <= line.length) {
      if (line[i] === '"') {
        let v = '';
        i++;
        for (;;) {
          const q = line.indexOf('"', i);
          if (q < 0) throw new Error(`unterminated quote in ${line}`);
          v += line.slice(i, q);
          if (line[q + 1] === '"') {
            v += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        fields.push(v);
        i++;
      } else {
        const c = line.indexOf(',', i);
        const end = c < 0 ? line.length : c;
        fields.push(line.slice(i, end));
        i = end + 1;
      }
    }
    rows.push(fields);
  }
  return rows;
}

async function filesIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}


describe('MM8 writers', () => {
  it('writes every event to CSV, JSON lines and HTTP at once, through the MMSC', async () => {
    const received: Cdr[] = [];
    const server = createServer((req, res) => {
      void body(req).then((b) => {
        received.push(...(JSON.parse(b) as Cdr[]));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const t = await startTestMmsc({
      keepDir: true,
      plugins: [
        localPhones,
        recordingPushBearer().plugin,
        {
          plugin: mm8,
          options: {
            writers: [
              { type: 'file', format: 'csv', directory: 'cdr-csv' },
              { type: 'file', format: 'jsonl', directory: 'cdr-json', sync: 'record' },
              { type: 'http', url: `http://127.0.0.1:${port}/cdr`, batchSize: 3, flushInterval: 50 },
            ],
          },
        },
      ],
    });
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ to: ['+15550000002', '+15550000003'] }), origin: { interface: 'mm7', peer: '10.1.1.1', attributes: { vaspId: 'vasp-9' } } });
      assert.equal(r.status, 'accepted');
      const [first] = await t.mmsc.getRecipients(r.messageId);
      if (first!.state === 'charged') await t.mmsc.transition(r.messageId, 0, 'notified', { by: 'test' });
      await t.mmsc.transition(r.messageId, 0, 'retrieved', { by: 'test' });
      await t.mmsc.transition(r.messageId, 0, 'delivered', { by: 'test' });
      await t.mmsc.transition(r.messageId, 1, 'expired', { by: 'test' });
      await waitFor('HTTP CDRs', () => received.some((c) => c.event === 'expired') && received.some((c) => c.event === 'delivered'));
      await t.stop();

      const csvFiles = await filesIn(join(t.dir, 'cdr-csv'));
      assert.ok(csvFiles.length >= 1 && csvFiles.every((f) => /^openmmsc-cdr-\d{8}T\d{6}Z-\d{4}\.csv$/.test(f)), csvFiles.join());
      const rows = parseCsv(await readFile(join(t.dir, 'cdr-csv', csvFiles[0]!), 'utf8'));
      assert.deepEqual(rows[0], [...CDR_FIELDS]);
      const col = (name: string) => CDR_FIELDS.indexOf(name as (typeof CDR_FIELDS)[number]);
      const sub = rows.find((row) => row[col('event')] === 'submission')!;
      assert.equal(sub[col('recordType')], 'MM7S');
      assert.equal(sub[col('vaspID')], 'vasp-9');
      assert.equal(sub[col('recipientAddresses')], '+15550000002/TYPE=PLMN;+15550000003/TYPE=PLMN');
      const events = rows.slice(1).map((row) => row[col('event')]);
      for (const e of ['submission', 'retrieved', 'delivered', 'expired']) assert.ok(events.includes(e), `${e} in ${events.join()}`);

      const jsonFiles = await filesIn(join(t.dir, 'cdr-json'));
      const json = (await readFile(join(t.dir, 'cdr-json', jsonFiles[0]!), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Cdr);
      assert.deepEqual(json.map((c) => c.event).sort(), events.sort());
      assert.equal(json.find((c) => c.event === 'retrieved')!.recordType, 'MMR1Rt');
      assert.deepEqual(received.map((c) => c.event).sort(), events.sort());
      // Every writer gets the same record, id included; each event its own id.
      const ids = rows.slice(1).map((row) => row[col('cdrId')]).sort();
      assert.deepEqual(json.map((c) => c.cdrId).sort(), ids);
      assert.deepEqual(received.map((c) => c.cdrId).sort(), ids);
      assert.equal(new Set(ids).size, ids.length);
    } finally {
      await t.stop().catch(() => undefined);
      await rm(t.dir, { recursive: true, force: true });
      server.close();
    }
  });

  it('rotates by size and by age, renaming finished files and keeping the .open suffix for the live one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mm8-rot-'));
    let now = Date.parse('2025-01-01T00:00:00Z');
    try {
      const w = new RotatingFileWriter({ directory: dir, prefix: 'r', extension: 'jsonl', maxBytes: 100, maxAgeMs: 60_000, sync: 'batch', now: () => now });
      await w.start();
      for (let i = 0; i < 10; i++) await w.append(`${JSON.stringify({ i, pad: 'x'.repeat(20) })}\n`);
      const live = w.currentPath!;
      assert.ok(live.endsWith('.jsonl.open'));
      assert.ok(w.finished.length >= 3, `${w.finished.length} files`);
      for (const f of w.finished) {
        const text = await readFile(f, 'utf8');
        assert.ok(Buffer.byteLength(text) <= 100);
        assert.ok(text.endsWith('\n'));
      }
      // Age: the next rotation check closes the live file.
      const before = w.finished.length;
      now += 61_000;
      await waitFor('age rotation', () => w.finished.length > before, { timeoutMs: 3000 });
      await w.append('{"after":true}\n');
      await w.close();
      const all = await filesIn(dir);
      assert.ok(all.every((f) => !f.endsWith('.open')));
      const lines = (await Promise.all(all.map((f) => readFile(join(dir, f), 'utf8')))).join('').trim().split('\n');
      assert.equal(lines.length, 11);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  for (const format of ['jsonl', 'csv'] as const) {
    it(`a crash (SIGKILL) during writes leaves only whole ${format} records, every acknowledged one kept`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'mm8-crash-'));
      try {
        const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@openmmsc/source', join(here, 'fixtures', 'crash-writer.ts'), dir, format], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        await waitFor('the child to write a few thousand records', () => (out.match(/^ack /gm)?.length ?? 0) > 3000, { timeoutMs: 30_000 });
        process.kill(child.pid!, 'SIGKILL');
        await exited;
        assert.equal(err.trim(), '');
        const acked = new Set(out.split('\n').filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4))));

        const repaired = await recoverOpenFiles(dir, 'crash', format === 'csv' ? `${CDR_FIELDS.join(',')}\n` : undefined);
        assert.ok(repaired.length <= 1, 'at most the live file needed repair');
        const files = await filesIn(dir);
        assert.ok(files.length > 1, 'several rotated files');
        assert.ok(files.every((f) => !f.endsWith('.open')));
        const seen = new Set<number>();
        for (const f of files) {
          const text = await readFile(join(dir, f), 'utf8');
          assert.ok(text.endsWith('\n'), `${f} ends with a whole record`);
          if (format === 'jsonl') {
            for (const line of text.trimEnd().split('\n')) {
              const cdr = JSON.parse(line) as Cdr; // throws on a half record
              assert.equal(cdr.recipientAddresses.length, 200);
              seen.add(cdr.messageSize);
            }
          } else {
            const rows = parseCsv(text);
            assert.deepEqual(rows[0], [...CDR_FIELDS], `${f} starts with the header`);
            for (const row of rows.slice(1)) {
              assert.equal(row.length, CDR_FIELDS.length, `whole CSV record in ${f}`);
              assert.equal(row[CDR_FIELDS.indexOf('status')], 'accepted, "quoted"');
              seen.add(Number(row[CDR_FIELDS.indexOf('messageSize')]));
            }
          }
        }
        for (const n of acked) assert.ok(seen.has(n), `acknowledged record ${n} survived the crash`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  it('HTTP batches: retried with back-off until the endpoint accepts, same Idempotency-Key on retries', async () => {
    const attempts: Array<{ key: string; count: number; ok: boolean; ids: string[] }> = [];
    const accepted: Cdr[] = [];
    let failuresLeft = 3;
    const server = createServer((req, res) => {
      void body(req).then((b) => {
        const records = JSON.parse(b) as Cdr[];
        const ok = failuresLeft-- <= 0;
        attempts.push({ key: String(req.headers['idempotency-key']), count: records.length, ok, ids: records.map((r) => r.cdrId) });
        if (ok) accepted.push(...records);
        res.writeHead(ok ? 200 : 503).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const t = await startTestMmsc({
      plugins: [localPhones, recordingPushBearer().plugin, { plugin: mm8, options: { events: ['submission'], writers: [{ type: 'http', url: `http://127.0.0.1:${port}/`, batchSize: 4, flushInterval: 30, retryBase: 20, attempts: 2 }] } }],
    });
    try {
      for (let i = 0; i < 10; i++) assert.equal((await t.mmsc.submit({ message: buildMessage({ text: `m${i}` }), origin: { interface: 'mm1' } })).status, 'accepted');
      await waitFor('all 10 CDRs accepted', () => accepted.length >= 10, { timeoutMs: 10_000 });
      assert.equal(accepted.length, 10, 'none twice');
      assert.equal(new Set(accepted.map((c) => c.messageID)).size, 10);
      assert.equal(new Set(accepted.map((c) => c.cdrId)).size, 10);
      // A batch the endpoint refused is sent again with the same records: the same CDR ids.
      for (const a of attempts) assert.deepEqual(a.ids.filter((id) => !accepted.some((c) => c.cdrId === id)), [], 'a retried record keeps its id');
      assert.ok(attempts.filter((a) => !a.ok).length === 3);
      assert.ok(attempts.every((a) => a.count <= 4));
      const firstKey = attempts[0]!.key;
      assert.ok(attempts.filter((a) => a.key === firstKey).length >= 2, 'retries reuse the key');
    } finally {
      await t.stop();
      server.close();
    }
  });
});

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
