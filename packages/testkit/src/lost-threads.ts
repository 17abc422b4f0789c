import { ThreadPool } from '@openmmsc/core';

/**
 * From now on every ThreadPool call loses its thread right after it is posted: the pool closes,
 * its threads stop with the call on them, and the caller gets ThreadStoppedError, as when a
 * thread dies mid-call (killed, out of memory). The pools stay closed; returns the undo for
 * pools started afterwards. For testing what a plugin answers when its reading thread is lost.
 */
export function loseThreadsMidCall(): () => void {
  const run = ThreadPool.prototype.run;
  ThreadPool.prototype.run = function (this: ThreadPool<unknown, unknown>, request: unknown, transfer?: readonly ArrayBuffer[]) {
    const answer = run.call(this, request, transfer);
    void this.close();
    return answer;
  } as typeof run;
  return () => {
    ThreadPool.prototype.run = run;
  };
}
