// The printed result of bench/takeover: per store, the take-over times of the killed node's jobs
// over all rounds, the jobs that ran twice, and the goal's ratio.

export interface RoundResult {
  store: string;
  round: number;
  messages: number;
  /** Jobs node A had at the SMSC, unanswered, when it was killed. */
  inFlight: number;
  /** Per in-flight job: seconds from the kill to B's run reaching the SMSC, and to the SMSC answering it. */
  takeover: Array<{ job: string; startedS: number; completedS: number }>;
  /** Jobs no live node finished within the wait. */
  unfinished: number;
  /** Jobs run twice because the kill interrupted their first run (at-least-once). */
  interruptedTwice: number;
  /** Any other job run more than once. */
  beyond: number;
  undecodable: number;
}

function quantile(xs: number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const f = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');

export function summarise(results: RoundResult[], ctx: { goalS: number; holdMs: number; lease: string; loadavg: number[] }): string {
  const out: string[] = [];
  out.push('');
  out.push(`== take-over of a node killed with kill -9 (2 nodes, 1 shared store; SMSC answers each push after ${ctx.holdMs} ms; lease ${ctx.lease}) ==`);
  out.push('store     | rounds | A in flight | re-run starts p50 / max | finished on B p50 / max | ran twice: interrupted / beyond | unfinished');
  const stores = [...new Set(results.map((r) => r.store))];
  const maxes: Array<[string, number]> = [];
  for (const store of stores) {
    const rs = results.filter((r) => r.store === store);
    const started = rs.flatMap((r) => r.takeover.map((t) => t.startedS));
    const done = rs.flatMap((r) => r.takeover.map((t) => t.completedS));
    const missing = done.filter((x) => !Number.isFinite(x)).length;
    const max = missing ? Infinity : Math.max(...done);
    maxes.push([store, max]);
    out.push(
      `${store.padEnd(9)} | ${String(rs.length).padEnd(6)} | ${String(rs.reduce((a, r) => a + r.inFlight, 0)).padEnd(11)} | ` +
        `${`${f(quantile(started, 0.5))} / ${f(Math.max(...started))} s`.padEnd(23)} | ${`${f(quantile(done, 0.5))} / ${f(max)} s`.padEnd(23)} | ` +
        `${`${rs.reduce((a, r) => a + r.interruptedTwice, 0)} / ${rs.reduce((a, r) => a + r.beyond, 0)}`.padEnd(31)} | ${rs.reduce((a, r) => a + r.unfinished, 0)}`,
    );
  }
  out.push('');
  for (const [store, max] of maxes) {
    out.push(`${store}: take-over max ${f(max)} s (goal ≤ ${ctx.goalS} s, ratio ${f(max / ctx.goalS)})`);
  }
  const undecodable = results.reduce((a, r) => a + r.undecodable, 0);
  if (undecodable) out.push(`(${undecodable} pushes the SMSC received could not be decoded to a job)`);
  out.push(`load average at the end: ${ctx.loadavg.map((x) => x.toFixed(1)).join(' ')}`);
  out.push('');
  return out.join('\n');
}
