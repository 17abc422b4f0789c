import type { Counters, TakeResult } from '../counters/counters.js';

/** A counters call from a worker to its primary, and the answer. */
export type CountersRequest =
  | { openmmsc: 'counters'; id: number; op: 'take'; key: string; capacity: number; windowMs: number; cost: number }
  | { openmmsc: 'counters'; id: number; op: 'distinct'; key: string; members: string[]; windowMs: number };
export interface CountersReply {
  openmmsc: 'counters-reply';
  id: number;
  result?: TakeResult | number;
  error?: string;
}

type Send = (message: CountersRequest) => void;
type Call = { op: 'take'; key: string; capacity: number; windowMs: number; cost: number } | { op: 'distinct'; key: string; members: string[]; windowMs: number };

/**
 * The counters of a worker whose node keeps them in the primary (embedded store): every take and
 * distinct is one IPC round trip (tens of µs), so per-sender limits count once for the node,
 * not once per worker.
 */
export class IpcCounters implements Counters {
  #next = 0;
  readonly #pending = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();

  constructor(private readonly send: Send) {}

  /** Feed every message from the primary here; answers to this object's calls are taken. */
  receive(message: unknown): boolean {
    const reply = message as Partial<CountersReply> | null;
    if (reply?.openmmsc !== 'counters-reply' || typeof reply.id !== 'number') return false;
    const waiting = this.#pending.get(reply.id);
    this.#pending.delete(reply.id);
    if (reply.error !== undefined) waiting?.reject(new Error(`counters (primary): ${reply.error}`));
    else waiting?.resolve(reply.result as never);
    return true;
  }

  take(key: string, capacity: number, windowMs: number, cost = 1): Promise<TakeResult> {
    return this.#call({ op: 'take', key, capacity, windowMs, cost });
  }

  distinct(key: string, members: readonly string[], windowMs: number): Promise<number> {
    return this.#call({ op: 'distinct', key, members: [...members], windowMs });
  }

  async close(): Promise<void> {
    for (const w of this.#pending.values()) w.reject(new Error('counters closed'));
    this.#pending.clear();
  }

  #call<T>(request: Call): Promise<T> {
    const id = ++this.#next;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: never) => void, reject });
      try {
        this.send({ openmmsc: 'counters', id, ...request } as CountersRequest);
      } catch (error) {
        this.#pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }
}

/** The primary's side: answers a worker's counters call from the node's one set of counters. */
export async function answerCounters(counters: Counters, message: CountersRequest): Promise<CountersReply> {
  try {
    const result =
      message.op === 'take'
        ? await counters.take(message.key, message.capacity, message.windowMs, message.cost)
        : await counters.distinct(message.key, message.members, message.windowMs);
    return { openmmsc: 'counters-reply', id: message.id, result };
  } catch (error) {
    return { openmmsc: 'counters-reply', id: message.id, error: (error as Error).message };
  }
}
