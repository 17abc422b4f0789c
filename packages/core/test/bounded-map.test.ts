import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedMap } from '../src/util/bounded-map.js';

describe('BoundedMap', () => {
  it('keeps at most `max` entries, forgetting the one set longest ago', () => {
    const m = new BoundedMap<string, number>(3);
    for (const [k, v] of [['a', 1], ['b', 2], ['c', 3], ['d', 4]] as const) m.set(k, v);
    assert.deepEqual([...m.keys()], ['b', 'c', 'd']);
    assert.equal(m.get('a'), undefined);
    assert.equal(m.size, 3);
  });

  it('an entry set again is the newest, and setting it does not push another out', () => {
    const m = new BoundedMap<string, number>(3);
    m.set('a', 1).set('b', 2).set('c', 3);
    m.set('a', 10);
    assert.deepEqual([...m.entries()], [['b', 2], ['c', 3], ['a', 10]]);
    m.set('d', 4);
    assert.deepEqual([...m.keys()], ['c', 'a', 'd'], 'b, now the oldest, goes');
  });
});
