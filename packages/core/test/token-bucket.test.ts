import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBucket } from '@openmmsc/core';

describe('TokenBucket', () => {
  it('grants a burst, then one token per 1/rate seconds, refilling continuously up to the capacity', () => {
    let now = 0;
    const bucket = new TokenBucket(4, 2, () => now);
    assert.deepEqual([bucket.take(), bucket.take()], [0, 0]);
    assert.equal(bucket.take(), 250, 'the next token in 250 ms');
    now = 125;
    assert.equal(bucket.take(), 125, 'half a token saved up: 125 ms to go');
    now = 10_000;
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take() > 0], [0, 0, true], 'never more than the capacity saved up');
    assert.equal(new TokenBucket(0, 1, () => now).take(), 0, 'a rate of 0 is unlimited');
  });
});
