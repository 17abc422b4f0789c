import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createMessageStore, createMmsc, kernelConfigSchema, parseConfig, type Mmsc, type MmsPart } from '@openmmsc/core';
import { buildMessage, routeAllTo, waitFor } from '@openmmsc/testkit';

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

  it('refuses a misspelt setting by name instead of ignoring it', () => {
    const { problems } = parseConfig(kernelConfigSchema, { store: { type: 'sqlite', path: 'x.sqlite', bodyFileAbove: '1MB' } });
    assert.deepEqual(problems, [{ path: 'store.bodyFileAbove', message: 'unknown key; did you mean "bodyFilesAbove"?' }]);
    const negative = parseConfig(kernelConfigSchema, { store: { type: 'sqlite', path: 'x.sqlite', bodyFilesAbove: -1 } }).problems;
    assert.equal(negative[0]?.path, 'store.bodyFilesAbove');
  });
});
