import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { createMmsc, type KernelConfigInput, type Mmsc } from '@openmmsc/core';
import {requireSystem, startPostgres, startRedis } from '@openmmsc/testkit';

/** An MMSC on `store` whose warnings are kept, with its /ready/durability answer and metric. */
async function startOn(store: KernelConfigInput['store']): Promise<{ mmsc: Mmsc; warnings: string[]; ready: { status: number; body: { checks: Record<string, string> } }; metric: string }> {
  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { level: number; msg: string };
        if (entry.level === 40) warnings.push(entry.msg);
      }
      done();
    },
  });
  const mmsc = await createMmsc({ config: { store, admin: { port: 0 } }, logger: pino({ level: 'warn' }, sink) });
  const res = await fetch(`${mmsc.adminUrl}/ready/durability`);
  const body = (await res.json()) as { checks: Record<string, string> };
  const metrics = await (await fetch(`${mmsc.adminUrl}/metrics`)).text();
  const metric = metrics.split('\n').find((l) => l.startsWith('openmmsc_durability_kept{service="store"}')) ?? '';
  return { mmsc, warnings, ready: { status: res.status, body }, metric };
}

describe('durability promise checked against the Redis server', { skip: requireSystem('redis-server') }, () => {
  const stops: Array<() => Promise<void>> = [];
  after(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it('warns at start, and /ready/durability says so, when Redis has no AOF but `always` is promised', async () => {
    const redis = await startRedis({ persistence: 'none' });
    stops.push(() => redis.stop());
    const { mmsc, warnings, ready, metric } = await startOn({ type: 'redis', url: redis.url, prefix: 'dur1' });
    stops.push(() => mmsc.stop());
    const warning = warnings.find((w) => w.startsWith('durability: store:'));
    assert.ok(warning, `a warning at start: ${JSON.stringify(warnings)}`);
    assert.match(warning, /durability always asked but Redis has appendonly no, appendfsync everysec/);
    assert.equal(ready.status, 503);
    assert.match(ready.body.checks.durability ?? '', /appendonly no/);
    assert.equal(metric, 'openmmsc_durability_kept{service="store"} 0');
    // Still ready to accept: durability is reported, not a reason to take the node out.
    assert.equal((await fetch(`${mmsc.adminUrl}/ready`)).status, 200);
  });

  it('is quiet when the server keeps the promise (AOF with appendfsync always)', async () => {
    const redis = await startRedis({ persistence: 'always' });
    stops.push(() => redis.stop());
    const { mmsc, warnings, ready, metric } = await startOn({ type: 'redis', url: redis.url, prefix: 'dur2' });
    stops.push(() => mmsc.stop());
    assert.deepEqual(warnings.filter((w) => w.startsWith('durability')), []);
    assert.equal(ready.status, 200);
    assert.match(ready.body.checks.durability ?? '', /durability always kept \(appendonly yes, appendfsync always\)/);
    assert.equal(metric, 'openmmsc_durability_kept{service="store"} 1');
  });

  it('everysec is enough for `durability: everysec`, not for `always`', async () => {
    const redis = await startRedis({ persistence: 'everysec' });
    stops.push(() => redis.stop());
    const relaxed = await startOn({ type: 'redis', url: redis.url, prefix: 'dur3', durability: 'everysec' });
    stops.push(() => relaxed.mmsc.stop());
    assert.equal(relaxed.ready.status, 200);
    const strict = await startOn({ type: 'redis', url: redis.url, prefix: 'dur4' });
    stops.push(() => strict.mmsc.stop());
    assert.equal(strict.ready.status, 503);
    assert.match(strict.ready.body.checks.durability ?? '', /appendfsync everysec: only acknowledged messages survive a crash of Redis; up to ~1 s is lost/);
  });

  it('says it could not check when CONFIG is disabled (as on managed Redis)', async () => {
    const redis = await startRedis({ persistence: 'always', args: ['--rename-command', 'CONFIG', ''] });
    stops.push(() => redis.stop());
    const { mmsc, warnings, ready } = await startOn({ type: 'redis', url: redis.url, prefix: 'dur5' });
    stops.push(() => mmsc.stop());
    assert.ok(warnings.some((w) => /durability: store: could not be checked \(CONFIG GET refused: ERR unknown command/.test(w)), JSON.stringify(warnings));
    assert.equal(ready.status, 503);
  });
});

describe('durability checked against the PostgreSQL server', { skip: requireSystem('postgresql') }, () => {
  it('warns when synchronous_commit is off, and is quiet when on', async () => {
    const pg = await startPostgres();
    try {
      const on = await startOn({ type: 'postgres', url: pg.url, schema: 'dur_on' });
      await on.mmsc.stop();
      assert.equal(on.ready.status, 200);
      assert.match(on.ready.body.checks.durability ?? '', /fsync on, synchronous_commit on/);
      pg.psql('ALTER SYSTEM SET synchronous_commit = off');
      pg.psql('SELECT pg_reload_conf()');
      const off = await startOn({ type: 'postgres', url: pg.url, schema: 'dur_off' });
      await off.mmsc.stop();
      assert.equal(off.ready.status, 503);
      assert.ok(off.warnings.some((w) => /PostgreSQL has fsync on, synchronous_commit off/.test(w)), JSON.stringify(off.warnings));
    } finally {
      await pg.stop();
    }
  });
});
