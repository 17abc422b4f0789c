import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAddress } from '@openmmsc/core';
import { PrefixTable, prefixRouterOptions } from '../src/index.js';

const table = (routes: unknown[], unmatched?: string) =>
  new PrefixTable(prefixRouterOptions.parse({ routes, ...(unmatched ? { unmatched } : {}) }));

describe('PrefixTable', () => {
  const t = table([
    { prefix: '+1', target: 'mm4', destination: 'mms.us.example' },
    { prefix: '+1555', target: 'local' },
    { prefix: '+15559', target: 'mm4', destination: 'mms.other.example' },
    { prefix: '@example.com', target: 'mm3' },
    { prefix: '#12', target: 'mm7', destination: 'vasp-a' },
  ]);

  it('longest number prefix wins', () => {
    assert.deepEqual(t.resolve(parseAddress('+15550000001')), { kind: 'route', route: { target: 'local' } });
    assert.deepEqual(t.resolve(parseAddress('+15559000001')), { kind: 'route', route: { target: 'mm4', destination: 'mms.other.example' } });
    assert.deepEqual(t.resolve(parseAddress('+12125550000')), { kind: 'route', route: { target: 'mm4', destination: 'mms.us.example' } });
  });

  it('matches e-mail domains and their subdomains, not look-alikes', () => {
    assert.equal(t.resolve(parseAddress('a@Example.COM'))?.kind, 'route');
    assert.equal(t.resolve(parseAddress('a@mail.example.com'))?.kind, 'route');
    assert.equal(t.resolve(parseAddress('a@badexample.com')), undefined);
  });

  it('matches short codes', () => {
    assert.deepEqual(t.resolve(parseAddress('1234')), { kind: 'route', route: { target: 'mm7', destination: 'vasp-a' } });
  });

  it('leaves unknown numbers to the next resolver, or rejects them when asked', () => {
    assert.equal(t.resolve(parseAddress('+447700900000')), undefined);
    const strict = table([{ prefix: '+1555', target: 'local' }], 'reject');
    assert.equal(strict.resolve(parseAddress('+447700900000'))?.kind, 'reject');
  });

  it('uses * as the default route', () => {
    const d = table([{ prefix: '*', target: 'mm4', destination: 'relay' }]);
    assert.equal(d.resolve(parseAddress('+447700900000'))?.kind, 'route');
  });
});
