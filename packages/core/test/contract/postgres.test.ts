import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';
import { requireSystem, startPostgres } from '@openmmsc/testkit';
import { createMessageStore } from '../../src/store/create-message-store.js';
import { message, parts, recipients } from './message-store.contract.js';
import { serverBackendContracts, suiteServer } from './server-backends.js';

// One server for the file; every fixture gets its own schema, as separate deployments would.
describe('PostgreSQL backends', { skip: requireSystem('postgresql') }, () => {
  const server = suiteServer('postgres', () => startPostgres());
  const schema = (): string => `t_${randomUUID().replaceAll('-', '')}`;
  serverBackendContracts({
    names: { store: 'keyv + PostgreSQL', queue: 'PostgreSQL (SKIP LOCKED)', pluginJobs: 'PostgreSQL' },
    store: () => ({ type: 'postgres', url: server().url, schema: schema(), poolSize: 4 }),
    queue: () => ({ type: 'postgres', url: server().url, schema: schema(), poolSize: 4 }),
  });

  it('stores nothing of a message whose save is refused part-way: no body, no recipient', async () => {
    const s = schema();
    const store = await createMessageStore({ type: 'postgres', url: server().url, schema: s, poolSize: 2 });
    const db = new pg.Client({ connectionString: server().url });
    await db.connect();
    try {
      // The database refuses the message's record (as a full disk or a constraint would), after
      // its bodies and its recipients' records went in.
      await db.query(`CREATE FUNCTION ${s}.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF NEW.key LIKE 'mmsc:msg:%' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`);
      await db.query(`CREATE TRIGGER refuse_messages BEFORE INSERT ON ${s}.kv FOR EACH ROW EXECUTE FUNCTION ${s}.refuse()`);
      const id = `m-${randomUUID()}`;
      await assert.rejects(store.save(message(id), parts(), recipients()), /refused by the test/);
      const count = async (table: string) => Number((await db.query(`SELECT count(*) AS n FROM ${s}.${table} WHERE key LIKE $1`, [`%${id}%`])).rows[0].n);
      assert.equal(await count('kv'), 0, 'no recipient record is left without its message');
      assert.equal(await count('blobs'), 0, 'no body is left');
      assert.equal(await store.get(id), undefined);
    } finally {
      await db.end();
      await store.close();
    }
  });
});
