/**
 * Waits for every one of the promises, then fails with the first failure if there was one.
 * For independent writes started together, so that they share a commit (or a round trip to a
 * server) instead of taking one each in turn, with none still running once the caller goes on.
 */
export async function allDone(promises: Iterable<Promise<unknown>>): Promise<void> {
  const outcomes = await Promise.allSettled(promises);
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
}
