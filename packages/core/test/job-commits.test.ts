import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type BetterSqlite3 from 'better-sqlite3';
import { buildMessage, routeAllTo, startTestMmsc, testPlugin, waitFor } from '@openmmsc/testkit';

/**
 * Every statement and transaction boundary on the SQLite connections of this process, in order,
 * with the file it went to: what a message's jobs cost in commits, read off the driver itself.
 */
function recordStatements(): { log: Array<{ file: string; sql: string; args: unknown[] }>; restore: () => void } {
  const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  const log: Array<{ file: string; sql: string; args: unknown[] }> = [];
  const probe = new Database(':memory:');
  const Statement = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<'run' | 'get' | 'all', (...a: unknown[]) => unknown>;
  probe.close();
  const originals = { run: Statement.run, get: Statement.get, all: Statement.all, exec: Database.prototype.exec };
  for (const method of ['run', 'get', 'all'] as const) {
    const original = originals[method];
    Statement[method] = function (this: BetterSqlite3.Statement, ...args: unknown[]) {
      log.push({ file: this.database.name, sql: this.source, args });
      return original.apply(this, args);
    };
  }
  Database.prototype.exec = function (this: BetterSqlite3.Database, sql: string) {
    log.push({ file: this.name, sql, args: [] });
    return originals.exec.call(this, sql);
  };
  return {
    log,
    restore: () => {
      Object.assign(Statement, { run: originals.run, get: originals.get, all: originals.all });
      Database.prototype.exec = originals.exec;
    },
  };
}

/** The transaction (BEGIN … COMMIT, counted from 0 on that file) each statement ran in. */
function transactionOf(log: ReturnType<typeof recordStatements>['log'], match: (e: { sql: string; args: unknown[] }) => boolean): number[] {
  const found: number[] = [];
  const count = new Map<string, number>();
  for (const entry of log) {
    if (entry.sql.startsWith('BEGIN')) count.set(entry.file, (count.get(entry.file) ?? 0) + 1);
    else if (match(entry)) found.push(count.get(entry.file) ?? 0);
  }
  return found;
}

const local = testPlugin('local-interface', () => ({ notify: (n) => void (n.pdu = Buffer.from('push')) }));

describe('a message\'s writes share commits: its jobs, its stored pieces', () => {
  const recorded = recordStatements();
  after(() => recorded.restore());
  let t: Awaited<ReturnType<typeof startTestMmsc>>;
  before(async () => {
    // Deliveries held for an hour: no job of the message runs while it is looked at.
    t = await startTestMmsc({ plugins: [routeAllTo('local'), local] });
  });
  after(async () => t.stop());

  it('a submission to three recipients enqueues their notifications and its expiry in one transaction', async () => {
    const message = buildMessage({ to: ['+15550000001', '+15550000002', '+15550000003'] });
    message.headers.deliveryTime = new Date(Date.now() + 3_600_000);
    recorded.log.length = 0;
    const result = await t.mmsc.submit({ message, origin: { interface: 'api' } });
    assert.equal(result.status, 'accepted');
    const inserts = transactionOf(recorded.log, (e) => e.sql.startsWith('INSERT INTO jobs') && e.args.some((a) => typeof a === 'string' && a.includes(result.messageId)));
    assert.equal(inserts.length, 4, 'three notify jobs and one expiry');
    assert.equal(new Set(inserts).size, 1, `one transaction, not one per job (transactions ${inserts.join(', ')})`);
  });

  it('a submission\'s bodies, recipients and message record are stored in one transaction of the store', async () => {
    const message = buildMessage({ to: ['+15550000011', '+15550000012'], text: 'one commit' });
    message.headers.deliveryTime = new Date(Date.now() + 3_600_000);
    recorded.log.length = 0;
    const result = await t.mmsc.submit({ message, origin: { interface: 'api' } });
    assert.equal(result.status, 'accepted');
    const ofMessage = (e: { args: unknown[] }) => typeof e.args[0] === 'string' && e.args[0].includes(result.messageId);
    const records = transactionOf(recorded.log, (e) => e.sql.startsWith('INSERT INTO openmmsc ') && ofMessage(e));
    const bodies = transactionOf(recorded.log, (e) => e.sql.includes('INTO openmmsc_blobs') && ofMessage(e));
    assert.equal(records.length, 3, 'two recipient records and the message record');
    assert.equal(bodies.length, 1, 'the text part');
    // Before: bodies and recipients in one commit, the message record in the next (two in the sender's wait).
    assert.equal(new Set([...records, ...bodies]).size, 1, `one transaction (transactions ${[...records, ...bodies].join(', ')})`);
  });

  it('a recipient reaching a final state cancels its jobs, and the last one swaps expiry for purge, all in one transaction', async () => {
    const message = buildMessage({ to: '+15550000004' });
    message.headers.deliveryTime = new Date(Date.now() + 3_600_000);
    const { messageId } = await t.mmsc.submit({ message, origin: { interface: 'api' } });
    recorded.log.length = 0;
    await t.mmsc.cancel(messageId, { by: 'vasp' });
    const ofMessage = (e: { args: unknown[] }) => e.args.some((a) => typeof a === 'string' && a.includes(messageId));
    await waitFor('purge enqueued', () => recorded.log.some((e) => e.sql.startsWith('INSERT INTO jobs') && ofMessage(e)));
    const cancels = transactionOf(recorded.log, (e) => e.sql.startsWith('DELETE FROM jobs') && ofMessage(e));
    const purge = transactionOf(recorded.log, (e) => e.sql.startsWith('INSERT INTO jobs') && ofMessage(e));
    assert.equal(cancels.length, 4, 'notify, deliver, reroute, expire');
    assert.equal(purge.length, 1);
    assert.equal(new Set([...cancels, ...purge]).size, 1, `the four cancels and the purge in one transaction (${[...cancels, ...purge].join(', ')})`);
  });

  it('a message expiring for three recipients moves them side by side, in one commit of the store', async () => {
    const message = buildMessage({ to: ['+15550000008', '+15550000009', '+15550000010'] });
    message.headers.deliveryTime = new Date(Date.now() + 3_600_000);
    message.headers.expiry = new Date(Date.now() + 1_000);
    const { messageId } = await t.mmsc.submit({ message, origin: { interface: 'api' } });
    await waitFor('all expired', async () => (await t.mmsc.getRecipients(messageId)).every((r) => r.state === 'expired'), { timeoutMs: 10_000 });
    const moves = transactionOf(recorded.log, (e) => e.sql.startsWith('INSERT INTO openmmsc ') && String(e.args[0]).includes(messageId) && String(e.args[1]).includes('message expired'));
    assert.equal(moves.length, 3, 'one write per recipient');
    assert.equal(new Set(moves).size, 1, `the three moves in one transaction (${moves.join(', ')})`);
  });

  it('cancelling a message to three recipients ends their jobs side by side, not one recipient after another', async () => {
    const message = buildMessage({ to: ['+15550000005', '+15550000006', '+15550000007'] });
    message.headers.deliveryTime = new Date(Date.now() + 3_600_000);
    const { messageId } = await t.mmsc.submit({ message, origin: { interface: 'api' } });
    recorded.log.length = 0;
    const outcome = await t.mmsc.cancel(messageId, { by: 'vasp' });
    assert.equal(outcome.cancelled, 3);
    const notifyCancels = transactionOf(recorded.log, (e) => e.sql.startsWith('DELETE FROM jobs') && e.args.some((a) => typeof a === 'string' && a.includes(messageId) && a.startsWith('notify')));
    assert.equal(notifyCancels.length, 3);
    assert.equal(new Set(notifyCancels).size, 1, `the three recipients' notifications cancelled in one transaction (${notifyCancels.join(', ')})`);
  });
});
