/** The testkit's peer bytes against WAP-230-WSP's own examples. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hex, textz, uintvar } from '../src/bytes/index.js';

describe('testkit bytes', () => {
  it('uintvar: WAP-230 8.1.2 examples, and every value reads back', () => {
    assert.deepEqual([...uintvar(0)], [0x00]);
    assert.deepEqual([...uintvar(0x7f)], [0x7f]);
    assert.deepEqual([...uintvar(0x80)], [0x81, 0x00]);
    assert.deepEqual([...uintvar(0x3fff)], [0xff, 0x7f]);
    assert.deepEqual([...uintvar(0xa0)], [0x81, 0x20]);
    // Read back by the rule: 7 bits per octet, the high bit set on every octet but the last.
    const read = (b: Buffer) => [...b].reduce((n, o, i) => (assert.equal(o >= 0x80, i < b.length - 1), n * 128 + (o & 0x7f)), 0);
    for (const n of [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 28, 2 ** 32 - 1]) assert.equal(read(uintvar(n)), n);
  });
  it('textz and hex', () => {
    assert.deepEqual([...textz('ab')], [0x61, 0x62, 0x00]);
    assert.deepEqual([...hex('8c 80\n 98')], [0x8c, 0x80, 0x98]);
  });
});
