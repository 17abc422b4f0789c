import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressError, addressKey, formatAddress, parseAddress } from '@openmmsc/core';

describe('addresses', () => {
  const cases: Array<[string, string, string, object?]> = [
    ['+15550000001/TYPE=PLMN', 'plmn', '+15550000001'],
    ['+1 (555) 000-0001', 'plmn', '+15550000001'],
    ['0015550000001', 'plmn', '+15550000001'],
    ['05550000001', 'plmn', '+445550000001', { defaultCountryCode: '44' }],
    ['15550000001', 'plmn', '+15550000001'],
    ['12345', 'shortcode', '12345'],
    ['Alice@Example.COM', 'email', 'Alice@example.com'],
    ['<bob@example.org>', 'email', 'bob@example.org'],
    ['192.0.2.1/TYPE=IPv4', 'ipv4', '192.0.2.1'],
    ['192.0.2.1', 'ipv4', '192.0.2.1'],
    ['2001:DB8:0:0::1/TYPE=IPv6', 'ipv6', '2001:db8::1'],
  ];
  for (const [input, type, value, opts] of cases) {
    it(`normalises ${input}`, () => {
      assert.deepEqual(parseAddress(input, opts), { type, value });
    });
  }

  it('refuses what is not an address, with the reason', () => {
    for (const bad of ['', 'hello', '+0123', '+1234567890123456', '999.1.1.1/TYPE=IPv4', 'x@', '1/TYPE=FOO']) {
      assert.throws(() => parseAddress(bad), AddressError, bad);
    }
  });

  it('formats for the wire and keys for maps', () => {
    assert.equal(formatAddress(parseAddress('+15550000001')), '+15550000001/TYPE=PLMN');
    assert.equal(formatAddress(parseAddress('a@b.example')), 'a@b.example');
    assert.equal(addressKey(parseAddress('+1 555 000 0001')), 'plmn:+15550000001');
  });
});
