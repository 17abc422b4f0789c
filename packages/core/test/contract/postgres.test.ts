import { randomUUID } from 'node:crypto';
import { describe } from 'node:test';
import { requireSystem, startPostgres } from '@openmmsc/testkit';
import { serverBackendContracts, suiteServer } from './server-backends.js';

// One server for the file; every fixture gets its own schema, as separate deployments would.
describe('PostgreSQL backends', { skip: requireSystem('postgresql') }, () => {
  const pg = suiteServer('postgres', () => startPostgres());
  const schema = (): string => `t_${randomUUID().replaceAll('-', '')}`;
  serverBackendContracts({
    names: { store: 'keyv + PostgreSQL', queue: 'PostgreSQL (SKIP LOCKED)', pluginJobs: 'PostgreSQL' },
    store: () => ({ type: 'postgres', url: pg().url, schema: schema(), poolSize: 4 }),
    queue: () => ({ type: 'postgres', url: pg().url, schema: schema(), poolSize: 4 }),
  });
});
