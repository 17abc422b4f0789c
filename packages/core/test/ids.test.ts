import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base32, randomId } from '@openmmsc/core';

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
});
