import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestMmsc } from '@openmmsc/testkit';
import mm4 from '../src/index.js';
import { DOMAIN_A, DOMAIN_B } from './helpers.js';

const withRule = (clientCertificate: unknown) =>
  startTestMmsc({
    plugins: [{ plugin: mm4, options: { domain: DOMAIN_A, port: 0, peers: [{ domain: DOMAIN_B, host: '127.0.0.1', port: 9, clientCertificate }] } }],
  });

describe('MM4 peer options', () => {
  it('refuses a client-certificate rule that names no certificate (any certificate of the CA would pass as this peer)', async () => {
    await assert.rejects(withRule({}), /clientCertificate.*give `subject`, `fingerprint256` or both/s);
  });

  it('refuses a misspelt field of the rule and a malformed fingerprint, by name', async () => {
    await assert.rejects(withRule({ subjet: 'peer-b' }), /subjet/);
    await assert.rejects(withRule({ fingerprint256: 'AB:CD' }), /fingerprint256.*a SHA-256 fingerprint such as AB:CD/s);
  });
});
