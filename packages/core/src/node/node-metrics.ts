import { AggregatorRegistry } from 'prom-client';
import type { WorkerStats } from './messages.js';

/** A worker asks its primary for the node's metrics; the answer is the exposition text. */
export interface NodeMetricsRequest {
  openmmsc: 'node-metrics';
  id: number;
}
export interface NodeMetricsReply {
  openmmsc: 'node-metrics-reply';
  id: number;
  body?: string;
  error?: string;
}

/**
 * The node's metrics as one scrape: the workers' registries summed (counters, histograms, and
 * gauges by the aggregator each declares: a gauge read from the shared store is not multiplied
 * by the number of workers), and how many workers answered, so that a scrape missing a worker
 * says so instead of passing for the whole node.
 */
export async function nodeMetricsText(stats: readonly WorkerStats[], configured: number): Promise<string> {
  const summed = await AggregatorRegistry.aggregate(stats.map((s) => s.metrics)).metrics();
  return (
    summed +
    '# HELP openmmsc_node_workers Worker processes of this node: configured, and those whose metrics this scrape includes\n' +
    '# TYPE openmmsc_node_workers gauge\n' +
    `openmmsc_node_workers{state="configured"} ${configured}\n` +
    `openmmsc_node_workers{state="reporting"} ${stats.length}\n`
  );
}

type Send = (message: NodeMetricsRequest) => void;

/** A worker's side: `/metrics` answered with the whole node's figures, asked of the primary. */
export class IpcNodeMetrics {
  #next = 0;
  readonly #pending = new Map<number, { resolve: (body: string) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();

  constructor(
    private readonly send: Send,
    private readonly timeoutMs = 5000,
  ) {}

  /** Feed every message from the primary here; answers to this object's requests are taken. */
  receive(message: unknown): boolean {
    const reply = message as Partial<NodeMetricsReply> | null;
    if (reply?.openmmsc !== 'node-metrics-reply' || typeof reply.id !== 'number') return false;
    const waiting = this.#pending.get(reply.id);
    if (!waiting) return true;
    this.#pending.delete(reply.id);
    clearTimeout(waiting.timer);
    if (typeof reply.body === 'string') waiting.resolve(reply.body);
    else waiting.reject(new Error(`node metrics (primary): ${reply.error ?? 'no answer'}`));
    return true;
  }

  text(): Promise<string> {
    const id = ++this.#next;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`node metrics: the primary did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs).unref();
      this.#pending.set(id, { resolve, reject, timer });
      try {
        this.send({ openmmsc: 'node-metrics', id });
      } catch (error) {
        this.#pending.delete(id);
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }
}
