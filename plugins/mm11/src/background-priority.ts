import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Niceness of adaptation's work (converters, libvips's threads): it yields the CPU to the work handsets wait for. */
export const ADAPTATION_NICENESS = 10;

let noThreadList = false;
/** Threads already looked at (libvips's lowered, the others left): only new ones are read. */
const seen = new Set<string>();

/**
 * Gives libvips's worker threads in this process, where sharp's pixel work runs, the niceness of
 * adaptation. They are threads of the MMSC's own process, so they ran at the priority of the
 * event loop that answers handsets: with photos adapted after the store, that loop waited on the
 * run queue for up to 25–48 ms in a send on two cores (bench/adapt `--only image`). libvips
 * starts workers when it first needs more, from threads at the process's priority, so this runs
 * before and after each image's adaptation; on Linux a thread's niceness is its own. Elsewhere
 * (no `/proc/self/task`) it does nothing. A thread caught before libvips has named it is left as
 * it is.
 */
export function yieldImageThreads(niceness = ADAPTATION_NICENESS): void {
  if (noThreadList) return;
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    noThreadList = true;
    return;
  }
  const live = new Set(tids);
  for (const tid of seen) if (!live.has(tid)) seen.delete(tid);
  for (const tid of tids) {
    if (seen.has(tid)) continue;
    seen.add(tid);
    try {
      if (!readFileSync(`/proc/self/task/${tid}/comm`, 'latin1').startsWith('libvips')) continue;
      if (getPriority(Number(tid)) < niceness) setPriority(Number(tid), niceness);
    } catch {
      // The thread ended meanwhile.
    }
  }
}
