import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PeerAllowList } from '../src/index.js';

describe('PeerAllowList', () => {
  const list = new PeerAllowList([
    { name: 'mms.a.test', addresses: ['127.0.0.2', '10.1.0.0/16'], maxConnections: 3, config: 'a' },
    { name: 'roaming.test', addresses: [], maxConnections: 1, config: 'r' },
    { name: 'v6.test', addresses: ['2001:db8::/32'], maxConnections: 2, config: 'v6' },
  ]);

  it('finds peers by address and CIDR block; a peer without addresses may be anyone', () => {
    assert.deepEqual(list.at('127.0.0.2'), ['a', 'r']);
    assert.deepEqual(list.at('10.1.200.7'), ['a', 'r']);
    assert.deepEqual(list.at('10.2.0.1'), ['r']);
    assert.deepEqual(list.at('::ffff:127.0.0.2'), ['a', 'r'], 'IPv4-mapped addresses count as IPv4');
    assert.deepEqual(list.at('2001:db8::5'), ['r', 'v6']);
  });

  it('"listed" counts only peers with addresses', () => {
    assert.equal(list.listed('10.1.0.1'), true);
    assert.equal(list.listed('192.0.2.1'), false);
  });

  it('finds a peer by name, case-insensitively', () => {
    assert.equal(list.named('MMS.A.test'), 'a');
    assert.equal(list.named('other.test'), undefined);
  });

  it('hands the guard only the peers known by address', () => {
    const guarded = list.guarded();
    assert.deepEqual(guarded.map((g) => [g.name, g.maxConnections]), [['mms.a.test', 3], ['v6.test', 2]]);
    assert.equal(guarded[0]!.addresses.check('10.1.3.4', 'ipv4'), true);
  });
});
