import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Appends whole lines, one write each, serialised; with fsync each record is on disk before
 * `append` resolves. A crash can at worst cut the last line short, never interleave two.
 */
export class JsonLinesWriter {
  private handle: Promise<FileHandle> | undefined;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly fsync: boolean,
  ) {}

  append(record: unknown): Promise<void> {
    const line = Buffer.from(`${JSON.stringify(record)}\n`);
    const next = this.tail.then(async () => {
      const fh = await this.file();
      await fh.write(line);
      if (this.fsync) await fh.datasync();
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  async ready(): Promise<true | string> {
    try {
      await this.file();
      return true;
    } catch (error) {
      return `cannot open ${this.path}: ${(error as Error).message}`;
    }
  }

  async close(): Promise<void> {
    await this.tail;
    const h = this.handle;
    this.handle = undefined;
    if (h) await (await h).close();
  }

  private file(): Promise<FileHandle> {
    this.handle ??= mkdir(dirname(this.path), { recursive: true }).then(() => open(this.path, 'a'));
    return this.handle;
  }
}
