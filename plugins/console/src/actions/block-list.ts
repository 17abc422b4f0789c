import { verdict, type KeyValueStore, type MessageContext, type Verdict } from '@openmmsc/core';
import type { Log } from '../log.js';

export interface BlockEntry {
  address: string;
  by: string;
  at: number;
  reason?: string;
}

const KEY = 'blocked-senders';
/** Each node re-reads the shared list this often: a block takes effect cluster-wide within it. */
const REFRESH_MS = 2000;

/**
 * Senders an operator blocked, in the shared store; the `receive` hook refuses their messages
 * (`service-denied`). Checked against an in-memory copy so a submission costs no store read.
 */
export class BlockList {
  private blocked = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly log: Log,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async list(): Promise<BlockEntry[]> {
    return (await this.kv.get<BlockEntry[]>(KEY)) ?? [];
  }

  async block(entry: BlockEntry): Promise<void> {
    await this.kv.update<BlockEntry[]>(KEY, (list) => [...(list ?? []).filter((e) => e.address !== entry.address), entry]);
    this.blocked.add(entry.address);
  }

  async unblock(address: string): Promise<void> {
    await this.kv.update<BlockEntry[]>(KEY, (list) => (list ?? []).filter((e) => e.address !== address));
    this.blocked.delete(address);
  }

  receive(ctx: MessageContext): Verdict | undefined {
    if (this.blocked.size === 0 || !this.blocked.has(ctx.message.headers.from.value)) return undefined;
    ctx.log.info({ from: ctx.message.headers.from.value }, 'console: blocked sender refused');
    return verdict.reject('service-denied', 'the sender is blocked by the operator');
  }

  private async refresh(): Promise<void> {
    try {
      this.blocked = new Set((await this.list()).map((e) => e.address));
    } catch (error) {
      this.log.warn({ err: error }, 'console: could not read the blocked senders (the last list read stays in force)');
    }
  }
}
