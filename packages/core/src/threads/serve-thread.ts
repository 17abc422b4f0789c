import { parentPort } from 'node:worker_threads';
import type { ThreadCall, ThreadReady, ThreadReply } from './thread-protocol.js';

/** A handler's answer: the value, and the buffers to hand over instead of copying. */
export interface ThreadAnswer<Response> {
  value: Response;
  transfer?: readonly ArrayBuffer[];
}

/**
 * Runs in a pool's thread (the module a ThreadPool starts): answers each request with `handle`.
 * A failure a caller should act on belongs in the value; what `handle` throws reaches the caller
 * as a plain Error with the same name and message.
 */
export function serveThread<Request, Response>(handle: (request: Request) => ThreadAnswer<Response> | Promise<ThreadAnswer<Response>>): void {
  const port = parentPort;
  if (!port) throw new Error('serveThread() runs in a worker thread started by a ThreadPool');
  port.on('message', async (call: ThreadCall) => {
    try {
      const answer = await handle(call.request as Request);
      port.postMessage({ id: call.id, value: answer.value } satisfies ThreadReply, answer.transfer ?? []);
    } catch (error) {
      // Also a value that cannot be cloned: the caller hears of it instead of waiting for ever.
      const e = error instanceof Error ? error : new Error(String(error));
      port.postMessage({ id: call.id, error: { name: e.name, message: e.message } } satisfies ThreadReply);
    }
  });
  port.postMessage({ ready: true } satisfies ThreadReady);
}
