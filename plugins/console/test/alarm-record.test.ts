import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KeyValueStore } from '@openmmsc/core';
import { Registry } from 'prom-client';
import { Alarms } from '../src/links/alarms.js';
import type { LinkStatus } from '../src/links/link-monitor.js';
import type { Log } from '../src/log.js';

/** A node's shared store, as far as alarms use it. */
function memoryKv(): KeyValueStore {
  const m = new Map<string, unknown>();
  return {
    get: async <T>(k: string) => m.get(k) as T | undefined,
    set: async (k, v) => void m.set(k, v),
    delete: async (k) => m.delete(k),
    update: async <T>(k: string, fn: (c: T | undefined) => T) => {
      const v = fn(m.get(k) as T | undefined);
      m.set(k, v);
      return v;
    },
  };
}

const link = (state: LinkStatus['state']): LinkStatus => ({ kind: 'ppg', name: 'ppg.example', state, since: 0, detail: 'no answer' });

/** One process's alarms on the shared `kv`; `said` collects what it announced. */
function processAlarms(kv: KeyValueStore, clock: { now: number }, speaks = () => true) {
  const said: string[] = [];
  const log = { warn: (_o: unknown, msg: string) => void said.push(msg), info: (_o: unknown, msg: string) => void said.push(msg) } as unknown as Log;
  const alarms = new Alarms(new Registry(), log, { queueThreshold: 100, now: () => clock.now, kv, node: 'n1', speaks });
  const round = async (links: LinkStatus[]) => {
    alarms.links(links);
    await alarms.announce();
  };
  return { alarms, said, round };
}

describe('alarms against the node\'s record of what it announced', () => {
  it('a restarted process neither raises an alarm again nor misses its clearing; nothing is cleared before its link is seen', async () => {
    const kv = memoryKv();
    const clock = { now: 1_000 };
    const before = processAlarms(kv, clock);
    await before.round([link('down')]);
    await before.round([link('down')]);
    assert.deepEqual(before.said, ['alarm: ppg ppg.example is down: no answer']);

    const after = processAlarms(kv, clock);
    await after.round([]);
    await after.round([link('down')]);
    assert.deepEqual(after.said, [], 'still down: already announced');
    assert.deepEqual(after.alarms.list().map((a) => a.id), ['link:ppg:ppg.example'], 'shown on the page all the same');
    await after.round([link('up')]);
    assert.deepEqual(after.said, ['alarm cleared: ppg ppg.example is up']);
  });

  it('a process that does not speak for the node announces nothing and leaves the record alone', async () => {
    const kv = memoryKv();
    const clock = { now: 1_000 };
    const quiet = processAlarms(kv, clock, () => false);
    await quiet.round([link('down')]);
    assert.deepEqual(quiet.said, []);
    assert.equal(await kv.get('alarms:n1:announced'), undefined);
    const speaker = processAlarms(kv, clock);
    await speaker.round([link('down')]);
    assert.deepEqual(speaker.said, ['alarm: ppg ppg.example is down: no answer']);
  });

  it('an announced alarm whose link nobody reports any more is forgotten after 10 minutes, so it is raised again should it come back down', async () => {
    const kv = memoryKv();
    const clock = { now: 1_000 };
    const p = processAlarms(kv, clock);
    await p.round([link('down')]);
    const later = processAlarms(kv, clock);
    clock.now += 9 * 60_000;
    await later.round([]);
    assert.ok((await kv.get<Record<string, unknown>>('alarms:n1:announced'))!['link:ppg:ppg.example'], 'kept while it may still come back');
    clock.now += 2 * 60_000;
    await later.round([]);
    assert.deepEqual(await kv.get('alarms:n1:announced'), {});
    await later.round([link('down')]);
    assert.deepEqual(later.said, ['alarm: ppg ppg.example is down: no answer']);
  });
});
