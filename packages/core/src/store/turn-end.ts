/**
 * Runs commits at the end of the current turn of the event loop, including commits of
 * transactions that an earlier commit of the same turn led to.
 *
 * A write that waits for one file's commit and then writes another file (a message stored, then
 * its jobs enqueued) resumes in the microtasks after the first commit, during the check phase.
 * A `setImmediate` made there runs only in the next turn, after a whole poll phase of other
 * clients' requests: the second commit, and whoever waits for it, would wait for that turn.
 * So each batch of commits is followed by sweeps registered with it, before the check phase
 * starts, that commit what the microtasks between them opened.
 */
const SWEEPS = 3;

const pending = new Set<() => void>();
let sweepsLeft = 0;

/** `commit` runs once, in this turn's check phase (or the next turn's, when asked during a check phase with no sweep left). */
export function commitAtTurnEnd(commit: () => void): void {
  pending.add(commit);
  if (sweepsLeft > 0) return;
  sweepsLeft = SWEEPS;
  for (let i = 0; i < SWEEPS; i++) setImmediate(sweep);
}

function sweep(): void {
  sweepsLeft--;
  for (const commit of pending) {
    pending.delete(commit);
    commit();
  }
}
