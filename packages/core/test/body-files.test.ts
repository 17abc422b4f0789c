import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createMessageStore, createMmsc, kernelConfigSchema, parseConfig, type Mmsc, type MmsPart } from '@openmmsc/core';
import { buildMessage, routeAllTo, waitFor } from '@openmmsc/testkit';
import { KeyvMessageStore } from '../src/store/keyv-message-store.js';
import { openSqliteKeyv } from '../src/store/sqlite-keyv.js';

const big = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

async function open(dir: string, above: number | string = '64KB'): Promise<Mmsc> {
  return createMmsc({
    config: { store: { type: 'sqlite', path: join(dir, 'store.sqlite'), bodyFilesAbove: above }, limits: { maxMessageSize: '5MB' }, admin: { enabled: false }, log: { level: 'silent' } },
    // Routed nowhere anyone delivers: the message stays stored, which is all these tests look at.
    plugins: [routeAllTo('nowhere')],
  });
}

async function scratch(): Promise<{ path: string; [Symbol.asyncDispose](): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'openmmsc-body-files-'));
  return { path, [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }) };
}

const bodies = (dir: string) => (existsSync(join(dir, 'store.sqlite.bodies')) ? readdirSync(join(dir, 'store.sqlite.bodies')) : []);

async function submit(mmsc: Mmsc, parts: Array<{ contentType: string; data: Buffer }>): Promise<string> {
  const message = buildMessage({ to: '+15550000002', text: 'hello' });
  message.parts.push(...parts.map((p, i): MmsPart => ({ contentType: { type: p.contentType, parameters: {} }, contentId: `<p${i}>`, data: p.data })));
  const r = await mmsc.submit({ message, origin: { interface: 'api' } });
  assert.equal(r.status, 'accepted');
  return r.messageId;
}

describe('large part bodies as files beside the SQLite store (store.bodyFilesAbove)', () => {
  it('keeps bodies over the size as files, the rest in SQLite, reads them back whole, and removes the files with the message', async () => {
    await using dir = await scratch();
    const mmsc = await open(dir.path);
    try {
      const photo = big(300_000, 1);
      const clip = big(2_000_000, 2);
      const id = await submit(mmsc, [
        { contentType: 'image/jpeg', data: photo },
        { contentType: 'video/mp4', data: clip },
      ]);
      assert.equal(bodies(dir.path).length, 2, 'the two large bodies are files; the text part is not');
      const parts = (await mmsc.getParts(id))!;
      assert.equal(parts.length, 3);
      assert.equal(Buffer.from(parts[0]!.data).toString(), 'hello');
      assert.ok(Buffer.from(parts[1]!.data).equals(photo), 'the photo is byte for byte what was sent');
      assert.ok(Buffer.from(parts[2]!.data).equals(clip));
      assert.equal(parts[2]!.contentType.type, 'video/mp4', 'the part headers come back with the body');
      assert.equal(parts[2]!.contentId, '<p1>');

      // What the purge does once the retention after the last final state has passed.
      await mmsc.store.delete(id);
      await waitFor('files removed', () => bodies(dir.path).length === 0);
    } finally {
      await mmsc.stop();
    }
  });

  it('stores nothing of a message whose save fails part-way: no body row, no recipient, no body file', async () => {
    await using dir = await scratch();
    const mmsc = await open(dir.path);
    // The file refuses the message's record, the last row its save writes (as a full disk or a
    // damaged page would refuse any of them), after its bodies and recipients were written.
    const db = new Database(join(dir.path, 'store.sqlite'));
    db.exec(`CREATE TRIGGER refuse_messages BEFORE INSERT ON openmmsc WHEN NEW.key LIKE 'mmsc:msg:%' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    try {
      const message = buildMessage({ to: '+15550000002', text: 'hello' });
      message.parts.push({ contentType: { type: 'image/jpeg', parameters: {} }, contentId: '<p0>', data: big(300_000, 3) });
      const r = await mmsc.submit({ message, origin: { interface: 'api' } });
      assert.equal(r.status, 'deferred', 'the sender is told to try again, not that it was stored');
      const rows = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE key LIKE ?`).get(`%${r.messageId}%`) as { n: number }).n;
      assert.equal(rows('openmmsc'), 0, 'no recipient record is left without its message');
      assert.equal(rows('openmmsc_blobs'), 0, 'no body row is left');
      await waitFor('the body file written before the rows is removed', () => bodies(dir.path).length === 0);
      assert.equal(await mmsc.store.get(r.messageId), undefined);
      assert.equal(await mmsc.store.getRecipient(r.messageId, 0), undefined);
    } finally {
      db.close();
      await mmsc.stop();
    }
  });

  it('refuses to serve a message whose body file is cut short or gone, instead of serving it cut', async () => {
    await using dir = await scratch();
    const mmsc = await open(dir.path, 1000);
    try {
      const id = await submit(mmsc, [{ contentType: 'image/png', data: big(5000, 3) }]);
      const [file] = bodies(dir.path);
      const path = join(dir.path, 'store.sqlite.bodies', file!);
      const whole = readFileSync(path);
      writeFileSync(path, whole.subarray(0, whole.length - 100)); // cut short on disk
      await assert.rejects(mmsc.getParts(id), /damaged: 4900 of its 5000 body bytes/);
      writeFileSync(path, '');
      await assert.rejects(mmsc.getParts(id), /damaged: 0 bytes/);
      unlinkSync(join(dir.path, 'store.sqlite.bodies', file!));
      await assert.rejects(mmsc.getParts(id), /parts missing/);
    } finally {
      await mmsc.stop();
    }
  });

  it('sweeps files left by a crash (no row, or a temporary file) once they are older than a minute, and keeps the rest', async () => {
    await using dir = await scratch();
    let mmsc = await open(dir.path, 1000);
    const id = await submit(mmsc, [{ contentType: 'image/png', data: big(5000, 4) }]);
    await mmsc.stop();
    const folder = join(dir.path, 'store.sqlite.bodies');
    const kept = bodies(dir.path);
    assert.equal(kept.length, 1);
    const orphan = join(folder, Buffer.from('part:gone:0:1').toString('base64url'));
    const temp = join(folder, `${kept[0]}.tmp-0123456789ab`);
    const fresh = join(folder, Buffer.from('part:in-flight:0:1').toString('base64url'));
    const foreign = join(folder, 'README.txt');
    for (const f of [orphan, temp, fresh, foreign]) writeFileSync(f, 'x');
    const old = new Date(Date.now() - 5 * 60_000);
    for (const f of [orphan, temp, foreign, join(folder, kept[0]!)]) utimesSync(f, old, old);

    mmsc = await open(dir.path, 1000);
    try {
      await waitFor('orphans swept', () => !existsSync(orphan) && !existsSync(temp));
      assert.ok(existsSync(fresh), 'a file younger than the grace period may be a write in flight: kept');
      assert.ok(existsSync(foreign), 'a file the store did not name is not its to remove');
      assert.ok(existsSync(join(folder, kept[0]!)), 'a body its row points at is kept, however old');
      assert.equal((await mmsc.getParts(id))?.[1]?.data.byteLength, 5000);
    } finally {
      await mmsc.stop();
    }
  });

  it('serves bodies kept as files to a store opened without the setting (a tool, an older config)', async () => {
    await using dir = await scratch();
    const mmsc = await open(dir.path, 1000);
    const body = big(5000, 5);
    const id = await submit(mmsc, [{ contentType: 'image/png', data: body }]);
    await mmsc.stop();
    const store = await createMessageStore({ type: 'sqlite', path: join(dir.path, 'store.sqlite') });
    try {
      assert.ok(Buffer.from((await store.getParts(id))![1]!.data).equals(body));
    } finally {
      await store.close();
    }
  });

  it("keeps a variant's parts in SQLite whatever their size, replaces them whole when it is saved again, and removes them with the old parts and with the message", async () => {
    await using dir = await scratch();
    const mmsc = await open(dir.path);
    const db = new Database(join(dir.path, 'store.sqlite'), { readonly: true });
    try {
      const id = await submit(mmsc, [{ contentType: 'image/jpeg', data: big(300_000, 6) }]);
      assert.equal(bodies(dir.path).length, 1);
      const rows = () => (db.prepare("SELECT count(*) AS n FROM openmmsc_blobs WHERE key LIKE 'vpart:%' AND length(value) > 0").get() as { n: number }).n;
      const variant = (n: number, seed: number): MmsPart[] => [
        { contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, data: Buffer.from('hello') },
        { contentType: { type: 'image/jpeg', params: {} }, contentId: '<p0>', data: big(n, seed) },
      ];
      const photo = async (name: string) => Buffer.from((await mmsc.getVariant(id, name))![1]!.data);

      await mmsc.saveVariant(id, '300k', variant(200_000, 7));
      assert.equal(bodies(dir.path).length, 1, 'a variant is read on every retrieval: no file, no thread-pool hop');
      assert.equal(rows(), 2, 'its bodies are blobs beside the records, not base64 inside one');
      assert.ok((await photo('300k')).equals(big(200_000, 7)), 'read back byte for byte');
      assert.equal(Buffer.from((await mmsc.getVariant(id, '300k'))![0]!.data).toString(), 'hello');

      await mmsc.saveVariant(id, '300k', variant(150_000, 8));
      assert.equal(rows(), 2, 'the variant saved again replaced the earlier one');
      assert.ok((await photo('300k')).equals(big(150_000, 8)), 'the variant saved again is the one served');

      await mmsc.saveVariant(id, '100k', variant(90_000, 9));
      assert.equal(rows(), 4);
      // MM7 ReplaceReq: variants of the old parts go with them.
      await mmsc.store.replaceParts(id, [{ contentType: { type: 'image/png', params: {} }, data: big(100_000, 10) }]);
      assert.equal(rows(), 0);
      await waitFor('the old part file removed', () => bodies(dir.path).length === 1);
      assert.equal(await mmsc.getVariant(id, '300k'), undefined);

      await mmsc.saveVariant(id, '300k', variant(80_000, 11));
      assert.equal(rows(), 2);
      await mmsc.store.delete(id);
      assert.equal(rows(), 0, 'the variant removed with the message');
      await waitFor('every file removed with the message', () => bodies(dir.path).length === 0);
    } finally {
      db.close();
      await mmsc.stop();
    }
  });

  it('makes a variant again when one of its bodies is damaged or gone, instead of serving it cut', async () => {
    await using dir = await scratch();
    const mmsc = await open(dir.path);
    const db = new Database(join(dir.path, 'store.sqlite'));
    try {
      const id = await submit(mmsc, [{ contentType: 'image/jpeg', data: big(3000, 6) }]);
      const variant: MmsPart[] = [{ contentType: { type: 'image/jpeg', params: {} }, data: big(80_000, 11) }];
      await mmsc.saveVariant(id, '300k', variant);
      const key = (db.prepare("SELECT key FROM openmmsc_blobs WHERE key LIKE 'vpart:%'").get() as { key: string }).key;
      db.prepare('UPDATE openmmsc_blobs SET value = substr(value, 1, 1000) WHERE key = ?').run(key);
      assert.equal(await mmsc.getVariant(id, '300k'), undefined, 'a cut variant is none');
      db.prepare('DELETE FROM openmmsc_blobs WHERE key = ?').run(key);
      assert.equal(await mmsc.getVariant(id, '300k'), undefined, 'a variant with a body gone is none');
      await mmsc.saveVariant(id, '300k', variant);
      assert.ok(Buffer.from((await mmsc.getVariant(id, '300k'))![0]!.data).equals(big(80_000, 11)), 'and one saved over it is served');
    } finally {
      db.close();
      await mmsc.stop();
    }
  });

  it('serves a variant saved before variants were blobs (kept as JSON in its row)', async () => {
    await using dir = await scratch();
    const path = join(dir.path, 'store.sqlite');
    const { keyv, blobs } = await openSqliteKeyv(path);
    const before = new KeyvMessageStore(keyv);
    const message = buildMessage({ to: '+15550000002', text: 'hello' });
    const stored = { id: 'old1', headers: message.headers, origin: { interface: 'api' as const }, receivedAt: 1, expiresAt: 2, size: 5, partCount: 1, recipientCount: 0, attributes: {} };
    await before.save(stored, message.parts, []);
    const small: MmsPart[] = [{ contentType: { type: 'image/jpeg', params: {} }, data: big(2000, 12) }];
    await before.saveVariant('old1', 'small', small);
    const after = new KeyvMessageStore(keyv, { blobs });
    try {
      const got = await after.getVariant('old1', 'small');
      assert.ok(got && Buffer.from(got[0]!.data).equals(big(2000, 12)));
    } finally {
      await after.close();
    }
  });

  it('refuses a misspelt setting by name instead of ignoring it', () => {
    const { problems } = parseConfig(kernelConfigSchema, { store: { type: 'sqlite', path: 'x.sqlite', bodyFileAbove: '1MB' } });
    assert.deepEqual(problems, [{ path: 'store.bodyFileAbove', message: 'unknown key; did you mean "bodyFilesAbove"?' }]);
    const negative = parseConfig(kernelConfigSchema, { store: { type: 'sqlite', path: 'x.sqlite', bodyFilesAbove: -1 } }).problems;
    assert.equal(negative[0]?.path, 'store.bodyFilesAbove');
  });
});
