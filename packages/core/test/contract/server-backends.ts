import { after, before, it } from 'node:test';
import { createJobQueue, type QueueConfig } from '../../src/queue/create-job-queue.js';
import { createMessageStore, type StoreConfig } from '../../src/store/create-message-store.js';
import { jobQueueContract } from './job-queue.contract.js';
import { messageStoreContract } from './message-store.contract.js';
import { pluginJobsContract } from './plugin-jobs.contract.js';

/**
 * Starts one server for the enclosing suite and gives it to the fixtures. A server that does not
 * start shows up as a failed test naming the reason (and as failed, not cancelled, contract tests).
 */
export function suiteServer<S extends { stop(): Promise<void> }>(what: string, start: () => Promise<S>): () => S {
  let server: S | undefined;
  let startError: unknown;
  before(async () => {
    try {
      server = await start();
    } catch (error) {
      startError = error;
    }
  });
  after(async () => {
    await server?.stop();
  });
  const running = (): S => {
    if (!server) throw startError ?? new Error(`${what} did not start`);
    return server;
  };
  it(`${what} is available`, () => {
    running();
  });
  return running;
}

/** A server backend under the contracts: each fixture gets a place of its own (a schema, a key prefix), as separate deployments would. */
export interface ServerBackend {
  /** Contract names: the store's, the job queue's, and the plugin jobs' (left out: that contract is not run). */
  names: { store: string; queue: string; pluginJobs?: string };
  /** A fresh place's store config; `open` is called again on it to reopen the same place. */
  store(): StoreConfig;
  queue(): QueueConfig;
  /** Several processes may open the store at once (the store contract then checks atomic updates across two). */
  sharedByProcesses?: boolean;
}

export function serverBackendContracts(backend: ServerBackend): void {
  const { names } = backend;
  messageStoreContract(names.store, async () => {
    const config = backend.store();
    return { open: () => createMessageStore(config), ...(backend.sharedByProcesses ? { sharedByProcesses: true } : {}) };
  });
  const queueFixture = async () => {
    const config = backend.queue();
    return { open: () => createJobQueue(config) };
  };
  jobQueueContract(names.queue, queueFixture);
  if (names.pluginJobs !== undefined) pluginJobsContract(names.pluginJobs, queueFixture);
}
