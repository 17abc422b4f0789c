import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressPrefixTable, parseAddress, prefixAddressTypes } from '@openmmsc/core';

describe('AddressPrefixTable: the longest-prefix table routers share', () => {
  const entries = [
    { prefix: '*', id: 'default' },
    { prefix: '+44', id: 'uk' },
    { prefix: '+447700', id: 'uk-mobile' },
    { prefix: '@Example.ORG', id: 'org' },
    { prefix: '@mail.example.org', id: 'org-mail' },
    { prefix: '#12', id: 'short-12' },
    { prefix: '#1234', id: 'short-1234' },
  ] as const;
  const table = new AddressPrefixTable(entries);
  const hit = (address: string) => table.match(parseAddress(address))?.id;

  it('the longest matching prefix wins, for numbers, domains and short codes', () => {
    assert.equal(hit('+447700900123'), 'uk-mobile');
    assert.equal(hit('+442079460000'), 'uk');
    assert.equal(hit('bob@box.mail.example.org'), 'org-mail');
    assert.equal(hit('bob@example.org'), 'org');
    assert.equal(hit('12345'), 'short-1234');
    assert.equal(hit('1299'), 'short-12');
  });

  it('a domain prefix is matched without regard to case, and never by a look-alike domain', () => {
    assert.equal(hit('bob@sub.example.org'), 'org');
    assert.equal(hit('bob@badexample.org'), 'default');
  });

  it('answers the entry object it was given (callers read their own fields off it)', () => {
    assert.equal(table.match(parseAddress('+447700900123')), entries[2]);
    assert.equal(table.match(parseAddress('bob@example.org')), entries[3]);
  });

  it('falls back to `*`, or to nothing without one', () => {
    assert.equal(hit('+15550000000'), 'default');
    const noDefault = new AddressPrefixTable([{ prefix: '+44' }, { prefix: '@' }]);
    assert.equal(noDefault.match(parseAddress('+15550000000')), undefined);
    assert.equal(noDefault.match(parseAddress('anyone@anywhere.example'))?.prefix, '@', 'a bare @ is every e-mail address');
  });

  it('prefixAddressTypes says which addresses a prefix can match', () => {
    assert.deepEqual(prefixAddressTypes('+1'), ['plmn']);
    assert.deepEqual(prefixAddressTypes('@'), ['email']);
    assert.deepEqual(prefixAddressTypes('#1'), ['shortcode']);
    assert.deepEqual(prefixAddressTypes('*'), ['plmn', 'email', 'shortcode', 'ipv4', 'ipv6']);
  });
});
