import { availableParallelism } from 'node:os';
import { z } from 'zod';

export type ThreadCountOption = 'auto' | number;

/** A plugin option naming how many threads do some work off the event loop (`auto` or a count). */
export function threadCountOption(what: string) {
  return z
    .union([z.literal('auto'), z.number().int().min(0).max(64)])
    .default('auto')
    .describe(`Threads that ${what} off the event loop; 0 does it on the loop. \`auto\`: 1 in a single-process node on a machine of several cores, 0 in a node of several workers (they already use the cores).`);
}

/**
 * Threads for a thread-count option. `auto` gives a single-process node a thread on a second
 * core; a node of several workers (`worker` set) already has a process per core, where a thread
 * each measured slower (bench/mm7 README: two workers on two cores, 8–21 % fewer requests per
 * second with a decoding thread each).
 */
export function threadCount(option: ThreadCountOption, worker: number | undefined, cores = availableParallelism()): number {
  if (option !== 'auto') return option;
  return worker === undefined && cores > 1 ? 1 : 0;
}
