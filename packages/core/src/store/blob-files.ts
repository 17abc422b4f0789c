import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Files younger than this are never swept: their record's commit may still be on its way. */
const SWEEP_GRACE_MS = 60_000;
const TEMP = '.tmp-';

const isMissing = (error: unknown): boolean => (error as { code?: string } | null)?.code === 'ENOENT';

/**
 * Large message bodies as files beside the SQLite file. Written and read on libuv's thread pool,
 * so a 10 MB body costs the event loop that answers handsets a few callbacks, not a 10 MB copy
 * into SQLite pages, the WAL and later the checkpoint. A body is written to a temporary name and
 * renamed: a reader sees the whole body or none, and a crash leaves only a temporary file.
 * Durability matches the WAL's (synchronous=NORMAL): the page cache survives a killed process.
 */
export class BlobFiles {
  readonly #dir: string;
  #made: Promise<unknown> | undefined;

  /** `dir` is made with the first body written: a store that never has a large one has no folder. */
  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Writes the pieces one after another, as they are (no joined copy of a large body). */
  async write(key: string, pieces: readonly Uint8Array[]): Promise<void> {
    await (this.#made ??= mkdir(this.#dir, { recursive: true }).catch((error: unknown) => {
      this.#made = undefined; // tried again with the next body
      throw error;
    }));
    const path = this.#path(key);
    const temp = `${path}${TEMP}${randomBytes(6).toString('hex')}`;
    // writeFile writes each piece to its end (a short write is continued, a full disk fails).
    await writeFile(temp, pieces);
    await rename(temp, path);
  }

  /** The body, or `undefined` when there is no file for the key. */
  async read(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.#path(key));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    await unlink(this.#path(key)).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
  }

  /**
   * Removes files no record points at: temporary files and bodies whose record never committed
   * (a crash between the file and its row) or was deleted while the unlink failed. Older than
   * the grace period only, so a write in flight on this or another worker is never touched.
   */
  async sweep(isReferenced: (key: string) => boolean, now = Date.now()): Promise<number> {
    let removed = 0;
    const names = await readdir(this.#dir).catch((error: unknown) => {
      if (isMissing(error)) return [];
      throw error;
    });
    for (const name of names) {
      const temp = name.includes(TEMP);
      const key = temp ? undefined : keyOf(name);
      if (!temp && (key === undefined || isReferenced(key))) continue;
      const path = join(this.#dir, name);
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile() || now - info.mtimeMs < SWEEP_GRACE_MS) continue;
      // Checked again after the stat: the row may have committed meanwhile.
      if (key !== undefined && isReferenced(key)) continue;
      await unlink(path).catch(() => undefined);
      removed++;
    }
    return removed;
  }

  #path(key: string): string {
    return join(this.#dir, Buffer.from(key).toString('base64url'));
  }
}

function keyOf(name: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) return undefined;
  return Buffer.from(name, 'base64url').toString();
}
