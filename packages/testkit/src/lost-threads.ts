import { Worker } from 'node:worker_threads';
import { ThreadPool } from '@openmmsc/core';

/**
 * From now on every ThreadPool call loses its thread as it is posted: the pool closes, its
 * threads stop with the call on them, and the caller gets ThreadStoppedError, as when a
 * thread dies mid-call (killed, out of memory). The pools stay closed; returns the undo for
 * pools started afterwards. For testing what a plugin answers when its reading thread is lost.
 */
export function loseThreadsMidCall(): () => void {
  const run = ThreadPool.prototype.run;
  ThreadPool.prototype.run = function (this: ThreadPool<unknown, unknown>, request: unknown, transfer?: readonly ArrayBuffer[]) {
    // The thread is stopped first, then the call posted (its buffers still move), as in
    // killThreadsMidCall: closed only after the post, a thread quick enough answered it (once in
    // a few runs under load).
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: Worker, value: unknown, list?: Parameters<Worker['postMessage']>[1]) {
      void this.terminate();
      post.call(this, value, list);
    };
    let answer: Promise<unknown>;
    try {
      answer = run.call(this, request, transfer);
    } finally {
      Worker.prototype.postMessage = post;
    }
    void this.close();
    return answer;
  } as typeof run;
  return () => {
    ThreadPool.prototype.run = run;
  };
}

/**
 * The next `count` ThreadPool calls each kill the one thread they are posted to, as a crash would:
 * that call fails with ThreadStoppedError, the pool stays open and starts a thread in its place.
 * For testing that a plugin answers the lost request and reads the next one (on the replacement).
 * Returns the undo (also done by itself after `count`).
 */
export function killThreadsMidCall(count = 1): () => void {
  const post = Worker.prototype.postMessage;
  let left = count;
  const undo = () => {
    Worker.prototype.postMessage = post;
  };
  Worker.prototype.postMessage = function (this: Worker, value: unknown, transfer?: Parameters<Worker['postMessage']>[1]) {
    // A ThreadPool call is `{ id, request }`; other messages to other workers pass untouched.
    if (left > 0 && typeof value === 'object' && value !== null && 'id' in value && 'request' in value) {
      if (--left === 0) undo();
      // Stopped first, then posted (its buffers still move): a thread that got the call before
      // the stop could answer it, and the loss would not be certain.
      void this.terminate();
    }
    post.call(this, value, transfer);
  };
  return undo;
}
