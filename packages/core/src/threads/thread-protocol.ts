/** What crosses between a ThreadPool and its threads. */

/** A request to a thread, numbered so its answer can find its caller. */
export interface ThreadCall {
  id: number;
  request: unknown;
}

/** A thread's answer: the handler's value, or what it threw (errors cross threads as text). */
export type ThreadReply = { id: number; value: unknown } | { id: number; error: { name: string; message: string } };

/** Posted once by a thread when its handler is installed. */
export interface ThreadReady {
  ready: true;
}
