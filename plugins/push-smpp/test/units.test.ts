import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseUdh } from '@openmmsc/codec';
import { RateLimiter } from '../src/limits.js';
import { alternativeIds, parseReceipt } from '../src/receipt.js';
import { classifyStatus, decodeGsm7, describeStatus, encodeGsm7, pushSmppOptions, segmentText } from '../src/index.js';

describe('push-smpp units', () => {
  it('classifies submit_sm_resp statuses', () => {
    const none = { retry: [], fail: [] };
    assert.equal(classifyStatus(0x58, none), 'retry');
    assert.equal(classifyStatus(0x14, none), 'retry');
    assert.equal(classifyStatus(0x08, none), 'retry');
    assert.equal(classifyStatus(0x0b, none), 'fail');
    assert.equal(classifyStatus(0x0a, none), 'fail');
    assert.equal(classifyStatus(0x45, none), 'fail');
    assert.equal(classifyStatus(0x401, none), 'fail');
    assert.equal(classifyStatus(0x401, { retry: [0x401], fail: [] }), 'retry');
    assert.equal(classifyStatus(0x58, { retry: [], fail: [0x58] }), 'fail');
    assert.equal(describeStatus(0x0b), 'ESME_RINVDSTADR (0x0000000B, invalid destination address)');
    assert.equal(describeStatus(0x455), 'SMSC vendor-specific error 0x00000455');
  });

  it('parses delivery receipts (text and TLVs)', () => {
    const r = parseReceipt('id:0123456789 sub:001 dlvrd:001 submit date:2501011200 done date:2501011201 stat:DELIVRD err:000 text:hello');
    assert.deepEqual(r, { id: '0123456789', stat: 'DELIVRD', err: '000', sub: '001', dlvrd: '001', submitDate: '2501011200', doneDate: '2501011201' });
    assert.deepEqual(parseReceipt('stat:UNDELIV', { receiptedMessageId: 'ab12', messageState: 5 }), { id: 'ab12', stat: 'UNDELIV' });
    // An empty stat: (and err:) is no status at all, not an empty one.
    assert.deepEqual(parseReceipt('id:77 sub:001 dlvrd:000 submit date:2501011200 done date:2501011201 stat: err: text:'), {
      id: '77',
      stat: 'UNKNOWN',
      sub: '001',
      dlvrd: '000',
      submitDate: '2501011200',
      doneDate: '2501011201',
    });
    assert.equal(parseReceipt('id:77 stat: err:000', { messageState: 2 })?.stat, 'DELIVRD');
    assert.equal(parseReceipt('no id here'), undefined);
    assert.deepEqual(alternativeIds('255'), ['ff', 'FF', '597']);
    assert.deepEqual(alternativeIds('ff'), ['255']);
  });

  it('encodes GSM 03.38 text with the extension table', () => {
    assert.deepEqual(encodeGsm7('@£€')?.flat(), [0x00, 0x01, 0x1b, 0x65]);
    assert.equal(encodeGsm7('Привет'), undefined);
    assert.equal(decodeGsm7(Buffer.from([0x48, 0x1b, 0x28, 0x00])), 'H{@');
  });

  it('splits text: 160/153 GSM septets, 70/67 UCS-2 characters, escapes and surrogates kept whole', () => {
    assert.equal(segmentText('a'.repeat(160), 'auto', 1, false).segments.length, 1);
    const g = segmentText('a'.repeat(161), 'auto', 7, false);
    assert.deepEqual(g.segments.map((s) => s.length - 6), [153, 8]);
    assert.equal(g.esmClass, 0x40);
    const esc = segmentText(`${'a'.repeat(152)}€${'b'.repeat(10)}`, 'auto', 7, false);
    assert.deepEqual(esc.segments.map((s) => s.length - 6), [152, 12]); // the escape pair is not split
    const u = segmentText('Ж'.repeat(70), 'auto', 1, false);
    assert.equal(u.dataCoding, 0x08);
    assert.equal(u.segments.length, 1);
    const u2 = segmentText(`${'Ж'.repeat(66)}😀xyz`, 'auto', 1, true);
    assert.deepEqual(u2.segments.map((s) => parseUdh(s).payload.length), [132, 10]); // 133 octets of room: the pair moves on
    assert.equal(parseUdh(u2.segments[0]!).udh.concat?.reference16bit, true);
    assert.equal(segmentText('hello', 'ucs2', 1, false).dataCoding, 0x08);
    assert.deepEqual([...segmentText('aЖ', 'gsm7', 1, false).segments[0]!], [0x61, 0x3f]);
  });

  it('rate limiter spaces sends after the burst', () => {
    let now = 0;
    const rl = new RateLimiter(10, 2, () => now);
    assert.deepEqual([rl.reserve(), rl.reserve(), rl.reserve(), rl.reserve()], [0, 0, 100, 200]);
    now = 1000;
    assert.equal(rl.reserve(), 0);
  });

  it('validates options with paths', () => {
    const r = pushSmppOptions.safeParse({ links: [{ host: 'smsc', systemId: 'x', password: 'far-too-long' }] });
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues[0]?.path, ['links', 0, 'password']);
    const ok = pushSmppOptions.parse({ links: [{ host: 'smsc', systemId: 'x', enquireLinkMs: '15s' }] });
    assert.equal(ok.links[0]!.enquireLinkMs, 15_000);
    assert.equal(ok.links[0]!.port, 2775);
    assert.equal(ok.strategy, 'failover');
  });
});
