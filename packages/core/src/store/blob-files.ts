import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readFile, readdir, rename, stat, unlink } from 'node:fs/promises';
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

  constructor(dir: string) {
    this.#dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  get dir(): string {
    return this.#dir;
  }

  /** Writes the pieces one after another, as they are (no joined copy of a large body). */
  async write(key: string, pieces: readonly Uint8Array[]): Promise<void> {
    const path = this.#path(key);
    const temp = `${path}${TEMP}${randomBytes(6).toString('hex')}`;
    const file = await open(temp, 'w');
    try {
      const buffers = pieces.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
      let { bytesWritten } = await file.writev(buffers);
      // A short write (a full disk reports it on the next call) is finished, or fails, here.
      const all = Buffer.concat(bytesWritten < total(buffers) ? buffers : []);
      while (bytesWritten < all.length) {
        const n = (await file.write(all, bytesWritten, all.length - bytesWritten, bytesWritten)).bytesWritten;
        if (n === 0) throw new Error(`could not write the body of ${key}: the disk took no more bytes`);
        bytesWritten += n;
      }
    } finally {
      await file.close();
    }
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
    for (const name of await readdir(this.#dir)) {
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

const total = (buffers: readonly Buffer[]): number => buffers.reduce((n, b) => n + b.length, 0);

function keyOf(name: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) return undefined;
  return Buffer.from(name, 'base64url').toString();
}
