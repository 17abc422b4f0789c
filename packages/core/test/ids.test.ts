import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base32, randomId, timeOrderedId } from '@openmmsc/core';

describe('ids', () => {
  it('base32: RFC 4648 test vectors, lower case, without padding', () => {
    const vectors: Array<[string, string]> = [['', ''], ['f', 'my'], ['fo', 'mzxq'], ['foo', 'mzxw6'], ['foob', 'mzxw6yq'], ['fooba', 'mzxw6ytb'], ['foobar', 'mzxw6ytboi']];
    for (const [text, encoded] of vectors) assert.equal(base32(Buffer.from(text)), encoded, text);
    assert.equal(base32(Buffer.alloc(32, 0xff)), '7'.repeat(51) + 'q');
  });
  it('randomId: 16 random bytes as 26 base32 characters', () => {
    const ids = new Set(Array.from({ length: 100 }, () => randomId()));
    assert.equal(ids.size, 100);
    for (const id of ids) assert.match(id, /^[a-z2-7]{26}$/);
  });
  it('timeOrderedId: 24 characters, the first 8 the time in milliseconds, the rest random', () => {
    const at = Date.UTC(2026, 11, 7, 1, 0, 0);
    const a = timeOrderedId(10, at);
    const b = timeOrderedId(10, at);
    const later = timeOrderedId(10, at + 1);
    for (const id of [a, b, later]) assert.match(id, /^[a-z2-7]{24}$/);
    // 40 bits of time are exactly 8 base32 characters: ids of the same millisecond share them.
    assert.equal(a.slice(0, 8), b.slice(0, 8));
    assert.notEqual(a.slice(8), b.slice(8), 'the 80 random bits differ');
    assert.notEqual(later.slice(0, 8), a.slice(0, 8));
    // The time modulo 2^40 ms (it wraps every 34.8 years; only the locality depends on it).
    assert.equal(a.slice(0, 8), base32(Buffer.from((at % 2 ** 40).toString(16).padStart(10, '0'), 'hex')));
    // A burst's ids share a longer prefix the closer in time they are (what keeps a B-tree's inserts together).
    assert.equal(timeOrderedId(10, at + 500).slice(0, 5), a.slice(0, 5));
    const many = new Set(Array.from({ length: 1000 }, () => timeOrderedId()));
    assert.equal(many.size, 1000);
  });
});
