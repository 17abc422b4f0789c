import { statfs } from 'node:fs/promises';

/** Free space of the file system holding a path (`fs.statfs`, or a stand-in in tests). */
export type StatfsSource = (path: string) => Promise<{ bavail: number | bigint; bsize: number | bigint }>;

export const systemStatfs: StatfsSource = (path) => statfs(path);

export interface DiskState {
  /** Bytes free for us (not counting root's reserve); undefined until read or when unreadable. */
  free: number | undefined;
  low: boolean;
  /** Why the disk is not fit, for `/ready` and refusals. */
  detail?: string;
}

function mb(bytes: number): string {
  return `${Math.floor(bytes / (1024 * 1024))} MB`;
}

/**
 * Reads the free space of the store's disk on an interval. Below the watermark the node takes no
 * new submissions (they would fail half-written at ENOSPC) but keeps serving retrievals.
 */
export class DiskWatermark {
  private state: DiskState = { free: undefined, low: false };
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly path: string,
    private readonly minFree: number,
    private readonly intervalMs: number,
    private readonly source: StatfsSource,
    private readonly onError: (error: unknown) => void,
  ) {}

  get current(): DiskState {
    return this.state;
  }

  /** Reads once now (so a node starting on a full disk refuses from its first request), then on the interval. */
  async start(): Promise<void> {
    await this.read();
    this.timer = setInterval(() => void this.read(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads now; concurrent callers share one read. */
  read(): Promise<void> {
    this.reading ??= this.source(this.path)
      .then((s) => {
        const free = Number(s.bavail) * Number(s.bsize);
        const low = free < this.minFree;
        this.state = low ? { free, low, detail: `${mb(free)} free on ${this.path}, below the ${mb(this.minFree)} watermark: new messages are refused, retrievals go on` } : { free, low };
      })
      .catch((error: unknown) => {
        // An unreadable statfs says nothing about space: keep the last state rather than refuse all.
        this.onError(error);
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}
