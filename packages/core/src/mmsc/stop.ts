import type { Started } from './started.js';

/**
 * Graceful stop, in the order that loses no exchange under way:
 * 1. (the caller turned `/ready` 503 and `submit` to "try again"), the queue stops claiming,
 *    each plugin's `stop`: no new work is taken, but listeners stay open for exchanges in
 *    progress (MM1 keeps serving fetches);
 * 2. submissions already running finish, and so do running jobs (notifications being pushed);
 * 3. handsets this node notified fetch and acknowledge (`shutdown.retrievalGrace`);
 * 4. each plugin's `close` (listeners, connections, files), the load sampler and counters, then
 *    the queue and the store.
 * Steps 2 and 3 together take at most `shutdown.graceMs` (running submissions aside).
 */
export async function stopKernel(started: Started, inFlight: ReadonlySet<Promise<unknown>>): Promise<void> {
  const { k, notified, plugins } = started;
  const { graceMs, retrievalGrace } = k.config.shutdown;
  const begun = performance.now();
  k.log.info('stopping: draining in-flight work');
  // The queue stops claiming at once (no more handsets told to fetch from this node); what
  // running submissions enqueue meanwhile stays pending for the next start or another node.
  const drained = k.queue.drain(graceMs);
  for (const p of [...plugins].reverse()) await guard(started, p.name, 'stop', () => p.hooks.stop?.());
  await Promise.all([Promise.allSettled([...inFlight]), drained]);
  started.stopWaking?.();
  const left = Math.min(retrievalGrace, graceMs - (performance.now() - begun));
  if (notified.size > 0 && left > 0) {
    k.log.info({ handsets: notified.size, graceMs: Math.round(left) }, 'stopping: waiting for notified handsets to fetch');
    const missing = await notified.settle(k.store, left).catch((error: unknown) => {
      k.log.warn({ err: error }, 'stopping: could not follow notified handsets');
      return 0;
    });
    if (missing > 0) k.log.warn({ handsets: missing }, 'stopping: handsets notified by this node have not fetched yet (they fetch after a re-notification, from any node)');
  }
  // A fetch or acknowledgement that ended the wait still has its side effects to finish
  // (reports, cancelled jobs); so has any exchange the listeners were serving.
  await Promise.allSettled([...inFlight]);
  for (const p of [...plugins].reverse()) await guard(started, p.name, 'close', () => p.hooks.close?.());
  await Promise.allSettled([...inFlight]);
  // Nothing is admitted any more: the load sampler, which reads the queue, stops before it closes.
  await started.protection.stop();
  await k.queue.close(0);
  await k.store.close();
  await started.admin?.close();
}

async function guard(started: Started, plugin: string, step: string, fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (error) {
    started.k.log.error({ err: error, plugin }, `${plugin} failed in ${step}`);
  }
}
