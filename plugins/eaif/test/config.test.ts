import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAddress } from '@openmmsc/core';
import { Applications } from '../src/applications.js';
import { eaifOptions } from '../src/index.js';

const app = (o: Record<string, unknown>) => eaifOptions.parse({ applications: [{ id: 'a', password: 'p', ...o }] }).applications[0]!;

describe('EAIF configuration', () => {
  it('refuses options it does not know, naming them', () => {
    const r = eaifOptions.safeParse({ applications: [{ id: 'a', password: 'p', passwd: 'typo' }] });
    assert.equal(r.success, false);
    assert.match(JSON.stringify(r.error?.issues), /passwd/);
    assert.equal(eaifOptions.safeParse({ prot: 1 }).success, false);
  });

  it('refuses an address claimed by two applications, and a user name used twice', () => {
    const two = eaifOptions.parse({
      applications: [
        { id: 'a', password: 'p', shortCodes: ['123'] },
        { id: 'b', password: 'q', shortCodes: ['123'] },
      ],
    }).applications;
    assert.throws(() => new Applications(two, (r) => parseAddress(r), Date.now), /123 is claimed by both a and b/);
    const users = eaifOptions.parse({ applications: [{ id: 'a', password: 'p' }, { id: 'b', username: 'a', password: 'q' }] }).applications;
    assert.throws(() => new Applications(users, (r) => parseAddress(r), Date.now), /user name a is used twice/);
  });

  it('keeps a long configured short code a short code, as sender and as route', () => {
    const apps = new Applications([app({ shortCodes: ['12345678'] })], (r) => parseAddress(r), Date.now);
    const a = apps.get('a')!;
    assert.deepEqual(a.defaultSender, { type: 'shortcode', value: '12345678' });
    assert.equal(apps.owner({ type: 'shortcode', value: '12345678' })?.id, 'a');
    assert.deepEqual(a.ownSender(parseAddress('12345678/TYPE=PLMN')), { type: 'shortcode', value: '12345678' }, 'written as a number in the PDU');
    assert.equal(a.ownSender(parseAddress('+4912345678')), undefined);
  });
});
