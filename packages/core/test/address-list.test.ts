import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipAllowed, ipList, plainAddress } from '@openmmsc/core';

describe('IP allow-lists (ipList, ipAllowed)', () => {
  it('takes addresses and CIDR blocks of both families and refuses anything else by name', () => {
    assert.ok(ipList(['198.51.100.7', '203.0.113.0/28', '2001:db8::/32', '::1']));
    for (const bad of ['10.0.0.0/33', '2001:db8::/129', 'gateway.example', '10.0.0.1/8/1', '10.0.0.0/-1', '']) {
      assert.throws(() => ipList([bad]), new RegExp(`${JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not an IP address or CIDR block`));
    }
  });

  it('matches addresses, blocks, IPv4-mapped IPv6, and answers the same when asked again', () => {
    const list = ipList(['198.51.100.7', '203.0.113.0/28', '2001:db8::/32']);
    for (let round = 0; round < 2; round++) {
      assert.equal(ipAllowed(list, '198.51.100.7'), true);
      assert.equal(ipAllowed(list, '::ffff:198.51.100.7'), true, 'an IPv4-mapped address is the IPv4 address');
      assert.equal(ipAllowed(list, '203.0.113.15'), true);
      assert.equal(ipAllowed(list, '203.0.113.16'), false, 'just past the /28');
      assert.equal(ipAllowed(list, '2001:db8::1'), true);
      assert.equal(ipAllowed(list, '2001:db9::1'), false);
      assert.equal(ipAllowed(list, 'not-an-address'), false);
    }
    assert.equal(plainAddress('::FFFF:192.0.2.1'), '192.0.2.1');
  });

  it('keeps answering right past the number of addresses it remembers', () => {
    const list = ipList(['10.0.0.0/16']);
    for (let i = 0; i < 10_000; i++) {
      const inside = `10.0.${(i >> 8) & 0xff}.${i & 0xff}`;
      const outside = `10.1.${(i >> 8) & 0xff}.${i & 0xff}`;
      assert.equal(ipAllowed(list, inside), true, inside);
      assert.equal(ipAllowed(list, outside), false, outside);
    }
    assert.equal(ipAllowed(ipList([]), '10.0.0.1'), false, 'each list has its own answers');
  });
});
