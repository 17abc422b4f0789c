/** Kernel reasons as SMTP replies: the codes and enhanced status codes (RFC 5321, RFC 3463) a sender acts on. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReasonCode } from '@openmmsc/core';
import { SmtpReply, deferredReply, rejectedReply, smtpReplyFor } from '../src/index.js';

describe('smtpReplyFor', () => {
  const table: Array<[ReasonCode, number, string]> = [
    ['size-exceeded', 552, '5.3.4'],
    ['address-unresolved', 550, '5.1.1'],
    ['no-route', 550, '5.1.1'],
    ['sending-address-unresolved', 553, '5.1.7'],
    ['service-denied', 550, '5.7.1'],
    ['too-many-recipients', 452, '4.5.3'],
    ['format-corrupt', 554, '5.6.0'],
    ['unsupported-message', 554, '5.6.0'],
    ['network-problem', 451, '4.3.0'],
    ['internal-error', 451, '4.3.0'],
    ['limit-exceeded', 450, '4.7.1'],
    ['content-not-accepted', 554, '5.7.1'],
  ];
  for (const [code, reply, status] of table) {
    it(`${code} → ${reply} ${status}`, () => {
      assert.deepEqual(smtpReplyFor({ code, message: 'x' }), { code: reply, status });
    });
  }

  it('the class of the enhanced status matches the reply code’s', () => {
    for (const [code] of table) {
      const { code: reply, status } = smtpReplyFor({ code, message: 'x' });
      assert.equal(String(reply)[0], status[0], code);
    }
  });

  it('rejected and deferred replies carry the reason’s text', () => {
    const r = rejectedReply({ code: 'address-unresolved', message: '+15550000009 is unknown' });
    assert.ok(r instanceof SmtpReply);
    assert.deepEqual([r.responseCode, r.message, r.transient], [550, '5.1.1 +15550000009 is unknown', false]);
    const d = deferredReply({ code: 'network-problem', message: 'number lookup timed out' });
    assert.deepEqual([d.responseCode, d.message, d.transient], [451, '4.3.0 number lookup timed out; try again later', true]);
  });
});
