import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {requireSystem, startPostgres, type PostgresServer } from '@openmmsc/testkit';
import { createJobQueue } from '../../src/queue/create-job-queue.js';
import { createMessageStore } from '../../src/store/create-message-store.js';
import { jobQueueContract } from './job-queue.contract.js';
import { pluginJobsContract } from './plugin-jobs.contract.js';
import { messageStoreContract } from './message-store.contract.js';

// One server for the file; every fixture gets its own schema, as separate deployments would.
describe('PostgreSQL backends', { skip: requireSystem('postgresql') }, () => {
  let pg: PostgresServer | undefined;
  let startError: unknown;
  // A missing PostgreSQL must show up as failed tests (not cancelled ones) with the reason.
  before(async () => {
    try {
      pg = await startPostgres();
    } catch (error) {
      startError = error;
    }
  });
  after(async () => {
    await pg?.stop();
  });
  const url = (): string => {
    if (!pg) throw startError ?? new Error('postgres did not start');
    return pg.url;
  };
  const schema = (): string => `t_${randomUUID().replaceAll('-', '')}`;

  it('postgres is available', () => {
    url();
  });

  messageStoreContract('keyv + PostgreSQL', async () => {
    const s = schema();
    return { open: () => createMessageStore({ type: 'postgres', url: url(), schema: s, poolSize: 4 }) };
  });

  jobQueueContract('PostgreSQL (SKIP LOCKED)', async () => {
    const s = schema();
    return { open: () => createJobQueue({ type: 'postgres', url: url(), schema: s, poolSize: 4 }) };
  });

  pluginJobsContract('PostgreSQL', async () => {
    const s = schema();
    return { open: () => createJobQueue({ type: 'postgres', url: url(), schema: s, poolSize: 4 }) };
  });
});
