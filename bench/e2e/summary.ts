/** One MMSC run's figures (a store, a number of workers) against the run's bare-fastify ceiling. */
export interface RunFigures {
  store: string;
  workers: number;
  ceiling: number;
  /** MMSC CPU per accepted message (µs), and the event loops' busy time of it. */
  cpuUs: number;
  loopUs: number;
  /** The load process's CPU per accepted message (µs): the share of the cores the MMSC cannot have. */
  loadUs: number;
  acceptedPerSec: number;
  completedPerSec: number;
  p50: number;
  p99: number;
  fixedP99: number;
}

/**
 * The table of every MMSC run of this benchmark run: each against the first run, and against the
 * ceiling measured at the start and again at the end (`closing`), as a range.
 */
export function printSummary(results: readonly RunFigures[], rate: number, closing: number): void {
  const base = results.find((r) => r.store === 'sqlite' && r.workers === 1) ?? results[0]!;
  const out = (s: string) => process.stdout.write(s);
  out(`\n== the same run, each store and worker count (ceiling ${base.ceiling.toFixed(0)} req/s at the start, ${closing.toFixed(0)} at the end; × = ratio to ${base.store}, ${base.workers} worker(s)) ==\n`);
  out('store    | workers | accepted/s     | complete msg/s | ÷ ceiling (goal ≥ 0.15) | conf p50 / p99 closed | p99 at ' + `${rate}/s | CPU / loop µs per msg | load CPU µs per msg\n`);
  const ratio = (a: number, b: number) => `${a.toFixed(0)} (${(a / b).toFixed(2)}×)`;
  for (const r of results) {
    out(
      `${r.store.padEnd(8)} | ${String(r.workers).padEnd(7)} | ${ratio(r.acceptedPerSec, base.acceptedPerSec).padEnd(14)} | ` +
        `${ratio(r.completedPerSec, base.completedPerSec).padEnd(14)} | ${ratioRange(r.completedPerSec, r.ceiling, closing).padEnd(23)} | ` +
        `${`${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} ms`.padEnd(21)} | ${`${r.fixedP99.toFixed(1)} ms`.padEnd(11)} | ${`${r.cpuUs.toFixed(0)} / ${r.loopUs.toFixed(0)}`.padEnd(21)} | ${r.loadUs.toFixed(0)}\n`,
    );
  }
}

/** complete msg/s over the ceiling at either end of the run, lower first. */
function ratioRange(completed: number, start: number, end: number): string {
  const [a, b] = [completed / start, completed / end].sort((x, y) => x - y) as [number, number];
  return a.toFixed(3) === b.toFixed(3) ? a.toFixed(3) : `${a.toFixed(3)}–${b.toFixed(3)}`;
}
