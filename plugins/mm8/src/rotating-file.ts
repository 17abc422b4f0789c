import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export interface RotatingFileOptions {
  directory: string;
  /** File names: `<prefix>-<YYYYMMDDTHHMMSS>-<seq>.<extension>`. */
  prefix: string;
  extension: string;
  /** First line of every file (CSV header), or none. */
  header?: string;
  /** Close the file and start a new one before it would exceed this (bytes). */
  maxBytes: number;
  /** Close the file this long after it was opened, even if small (ms; 0: never). */
  maxAgeMs: number;
  /** `record`: one write + fdatasync per record; `batch`: records that arrive together share one; `none`: leave it to the OS. */
  sync: 'record' | 'batch' | 'none';
  now?: () => number;
}

const OPEN_SUFFIX = '.open';

interface Waiting {
  data: string;
  resolve(): void;
  reject(error: Error): void;
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * Appends whole lines to rotating files, crash-safe:
 * - the file being written is named `….open`; a finished file is renamed to its final name only
 *   after a last fdatasync, so a collector that ignores `.open` files never reads a partial one;
 * - a record (or a batch of them) is one `write`; `append` resolves only after fdatasync;
 * - on start, leftover `.open` files (a crash) are repaired: anything after the last newline
 *   (a record cut short by the crash) is truncated, then the file is closed normally.
 */
export class RotatingFileWriter {
  private handle: FileHandle | undefined;
  private path: string | undefined;
  private size = 0;
  private openedAt = 0;
  private seq = 0;
  private queue: Waiting[] = [];
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private started: Promise<void> | undefined;
  private closed = false;
  /** Final names of the files closed so far (for tests and logs). */
  readonly finished: string[] = [];

  constructor(private readonly o: RotatingFileOptions) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** Creates the directory and repairs files a crash left open. */
  start(): Promise<void> {
    this.started ??= (async () => {
      await mkdir(this.o.directory, { recursive: true });
      await recoverOpenFiles(this.o.directory, this.o.prefix, this.o.header);
      if (this.o.maxAgeMs > 0) {
        this.timer = setInterval(() => void this.rotateIfOld(), Math.min(this.o.maxAgeMs, 1000));
        this.timer.unref();
      }
    })();
    return this.started;
  }

  append(data: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error('CDR writer is closed'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ data, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      // Records queued after the loop saw an empty queue, before this ran.
      if (this.queue.length) this.kick();
    });
  }

  /** Closes the current file now (the next record starts a new one). */
  async rotate(): Promise<void> {
    await this.idle();
    await this.closeCurrent();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.idle();
    await this.closeCurrent();
  }

  get currentPath(): string | undefined {
    return this.path;
  }

  private async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async rotateIfOld(): Promise<void> {
    if (!this.handle || this.running) return;
    if (this.now() - this.openedAt >= this.o.maxAgeMs) await this.rotate();
  }

  private async drain(): Promise<void> {
    await this.start();
    while (this.queue.length) {
      const batch = this.o.sync === 'record' ? this.queue.splice(0, 1) : this.queue.splice(0, this.queue.length);
      try {
        await this.writeBatch(batch.map((w) => w.data));
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error as Error);
        // A failed write leaves the file in an unknown state: start a fresh one next time.
        await this.closeCurrent().catch(() => undefined);
      }
    }
  }

  private async writeBatch(records: string[]): Promise<void> {
    // Cut the batch where it would overflow the size limit, so files stay under maxBytes.
    let chunk: string[] = [];
    let chunkBytes = 0;
    for (const r of records) {
      const bytes = Buffer.byteLength(r);
      await this.ensureFile();
      const used = this.size + chunkBytes;
      if (used > this.headerBytes() && used + bytes > this.o.maxBytes) {
        if (chunk.length) await this.write(chunk.join(''));
        chunk = [];
        chunkBytes = 0;
        await this.closeCurrent();
        await this.ensureFile();
      }
      chunk.push(r);
      chunkBytes += bytes;
    }
    if (chunk.length) await this.write(chunk.join(''));
  }

  private headerBytes(): number {
    return this.o.header ? Buffer.byteLength(this.o.header) : 0;
  }

  private async write(data: string): Promise<void> {
    const fh = this.handle!;
    const buf = Buffer.from(data);
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await fh.write(buf, off, buf.length - off);
      off += bytesWritten;
    }
    this.size += buf.length;
    if (this.o.sync !== 'none') await fh.datasync();
  }

  private async ensureFile(): Promise<void> {
    if (this.handle) return;
    const at = this.now();
    let name: string;
    do {
      name = `${this.o.prefix}-${stamp(at)}-${String(++this.seq).padStart(4, '0')}.${this.o.extension}`;
    } while (await exists(join(this.o.directory, name)));
    const path = join(this.o.directory, name + OPEN_SUFFIX);
    const fh = await open(path, 'wx');
    this.handle = fh;
    this.path = path;
    this.size = 0;
    this.openedAt = at;
    if (this.o.header) await this.write(this.o.header);
  }

  private async closeCurrent(): Promise<void> {
    const fh = this.handle;
    const path = this.path;
    this.handle = undefined;
    this.path = undefined;
    if (!fh || !path) return;
    const empty = this.size <= this.headerBytes();
    await fh.datasync().catch(() => undefined);
    await fh.close();
    if (empty) {
      await unlink(path).catch(() => undefined);
      return;
    }
    const final = path.slice(0, -OPEN_SUFFIX.length);
    await rename(path, final);
    this.finished.push(final);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    try {
      await stat(path + OPEN_SUFFIX);
      return true;
    } catch {
      return false;
    }
  }
}

/** Repairs `.open` files left by a crash: cut a trailing partial record, then close them. */
export async function recoverOpenFiles(directory: string, prefix: string, header?: string): Promise<string[]> {
  const repaired: string[] = [];
  for (const name of await readdir(directory)) {
    if (!name.startsWith(`${prefix}-`) || !name.endsWith(OPEN_SUFFIX)) continue;
    const path = join(directory, name);
    const fh = await open(path, 'r+');
    try {
      const { size } = await fh.stat();
      const keep = await lastNewlineEnd(fh, size);
      if (keep !== size) await fh.truncate(keep);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    const { size } = await stat(path);
    if (size === 0 || (header && size <= Buffer.byteLength(header))) await unlink(path);
    else {
      const final = path.slice(0, -OPEN_SUFFIX.length);
      await rename(path, final);
      repaired.push(final);
    }
  }
  return repaired;
}

/** Length of the file up to and including its last `\n` (0 when there is none). */
async function lastNewlineEnd(fh: FileHandle, size: number): Promise<number> {
  const block = 64 * 1024;
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - block);
    const buf = Buffer.alloc(end - start);
    await fh.read(buf, 0, buf.length, start);
    const i = buf.lastIndexOf(0x0a);
    if (i >= 0) return start + i + 1;
    end = start;
  }
  return 0;
}
