import { EventEmitter } from 'node:events';
import type { Queue } from 'bullmq';

/**
 * Closes a BullMQ queue without leaving its start-up behind. A queue connects and asks the
 * server its version in the background from its constructor. Closed before that answer (on a
 * Redis Cluster the shared client is quit right after), the answer fails after BullMQ has removed
 * the connection's listeners, and BullMQ re-emits the failure as an 'error' nobody hears: an
 * unhandled rejection, which ends a Node process. So the close first waits (bounded: a server
 * that does not answer must not hold a shutdown) for the start-up to settle, and leaves a
 * listener on the connection for a start-up still pending after that.
 */
export async function closeBullmqQueue(queue: Queue, settleMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    queue.waitUntilReady().catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, settleMs))),
  ]);
  clearTimeout(timer);
  await queue.close();
  // `connection` is protected in BullMQ's types; element access is how TypeScript reaches it.
  const connection: unknown = queue['connection'];
  if (connection instanceof EventEmitter && connection.listenerCount('error') === 0) connection.on('error', () => {});
}
