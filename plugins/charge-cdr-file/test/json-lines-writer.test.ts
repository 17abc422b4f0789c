import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { JsonLinesWriter } from '../src/json-lines-writer.js';

describe('JsonLinesWriter: the CDR file', () => {
  const dirs: string[] = [];
  const scratch = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-cdr-'));
    dirs.push(dir);
    return dir;
  };
  after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('concurrent appends come out as whole lines, in the order they were asked for', async () => {
    const path = join(await scratch(), 'nested/dir/cdr.jsonl');
    const writer = new JsonLinesWriter(path, false);
    // Records long enough that interleaved writes would show as broken JSON.
    await Promise.all(Array.from({ length: 200 }, (_, i) => writer.append({ i, pad: 'x'.repeat(1000 + i) })));
    await writer.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as { i: number }).i),
      Array.from({ length: 200 }, (_, i) => i),
    );
  });

  it('appends to what a previous run wrote, never truncates it', async () => {
    const path = join(await scratch(), 'cdr.jsonl');
    const first = new JsonLinesWriter(path, true);
    await first.append({ run: 1 });
    await first.close();
    const second = new JsonLinesWriter(path, true);
    await second.append({ run: 2 });
    await second.close();
    assert.equal(await readFile(path, 'utf8'), '{"run":1}\n{"run":2}\n');
  });

  it('a failed write rejects that append only; the next one is written', async () => {
    const dir = await scratch();
    const writer = new JsonLinesWriter(join(dir, 'cdr.jsonl'), false);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    assert.throws(() => void writer.append(circular), /circular/i, 'a record that is not JSON is refused at once');
    await writer.append({ ok: true });
    await writer.close();
    assert.equal(await readFile(join(dir, 'cdr.jsonl'), 'utf8'), '{"ok":true}\n');
  });
});
