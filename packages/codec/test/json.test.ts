/** pduToJson / pduFromJson: the JSON form the CLI prints and reads. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { decodePdu, encodePdu, pduFromJson, pduToJson, MmsEncodeError } from '../src/index.js';
import { corpusPduFiles, readCorpus } from './helpers.js';
import { samplePdus } from './fixtures.js';

describe('JSON form', () => {
  test('dates are ISO strings, bodies base64, and it survives JSON.stringify', () => {
    const pdu = samplePdus().find((p) => p.messageType === 'm-send-req')!;
    const json = pduToJson(pdu);
    assert.equal(json.date, '2024-03-01T12:00:00.000Z');
    assert.deepEqual(json.expiry, { relativeSeconds: 604800 });
    const body = json.body as { parts: { data: string }[] };
    assert.equal(typeof body.parts[0]!.data, 'string');
    assert.deepEqual(Buffer.from(body.parts[0]!.data, 'base64'), Buffer.from(pdu.body!.parts![0]!.data));
    const text = JSON.stringify(json);
    assert.deepEqual(encodePdu(pduFromJson(JSON.parse(text))), encodePdu(pdu));
  });
  test('every sample PDU type and every corpus PDU round-trips through JSON to the same bytes', () => {
    for (const pdu of samplePdus()) assert.deepEqual(encodePdu(pduFromJson(JSON.parse(JSON.stringify(pduToJson(pdu))))), encodePdu(pdu), pdu.messageType);
    for (const f of corpusPduFiles()) {
      const pdu = decodePdu(readCorpus(f));
      const lenient = { lenient: true };
      const back = pduFromJson(JSON.parse(JSON.stringify(pduToJson(pdu))));
      assert.deepEqual(encodePdu(back, lenient), encodePdu(pdu, lenient), f);
    }
  });
  test('hand-written JSON: text and hex bodies, seconds for dates', () => {
    const pdu = pduFromJson({
      messageType: 'm-retrieve-conf',
      mmsVersion: '1.3',
      date: 1700000000,
      from: { address: '+15550000001', type: 'PLMN' },
      body: {
        contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} },
        parts: [
          { contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, data: { text: 'héllo' } },
          { contentType: { type: 'application/octet-stream', params: {} }, headers: { contentId: 'b' }, data: { hex: '00ff' } },
        ],
      },
    });
    const back = decodePdu(encodePdu(pdu));
    assert.equal((back as { date?: Date }).date?.getTime(), 1700000000000);
    assert.equal(Buffer.from(back.body!.parts![0]!.data).toString('utf8'), 'héllo');
    assert.equal(Buffer.from(back.body!.parts![1]!.data).toString('hex'), '00ff');
  });
  test('bad JSON is an MmsEncodeError naming the path', () => {
    assert.throws(() => pduFromJson({ messageType: 'm-nope' }), (e: unknown) => e instanceof MmsEncodeError && e.path === 'messageType');
    assert.throws(() => pduFromJson({ messageType: 'm-send-req', date: 'yesterday' }), (e: unknown) => e instanceof MmsEncodeError && e.path === 'date');
    assert.throws(
      () => pduFromJson({ messageType: 'm-send-req', body: { contentType: { type: 'text/plain', params: {} }, data: '!!' } }),
      (e: unknown) => e instanceof MmsEncodeError && e.path === 'body.data',
    );
    assert.throws(() => encodePdu(pduFromJson({ messageType: 'm-send-conf', transactionId: 1 })), (e: unknown) => e instanceof MmsEncodeError);
    assert.throws(
      () => encodePdu(pduFromJson({ messageType: 'm-notifyresp-ind', transactionId: 'x', mmsVersion: '1.2', status: 'fine' })),
      (e: unknown) => e instanceof MmsEncodeError && e.path === 'status',
    );
  });
});

describe('encoder checks', () => {
  test('mandatory headers', () => {
    assert.throws(() => encodePdu({ messageType: 'm-notification-ind', transactionId: 't', mmsVersion: '1.2' }), (e: unknown) => e instanceof MmsEncodeError && e.path === 'messageClass');
    assert.ok(encodePdu({ messageType: 'm-notification-ind', transactionId: 't', mmsVersion: '1.2' }, { lenient: true }).length > 0);
  });
  test('values out of range', () => {
    const base = { messageType: 'm-notifyresp-ind', transactionId: 't', mmsVersion: '1.2', status: 'retrieved' } as const;
    assert.throws(() => encodePdu({ ...base, mmsVersion: '9' }), MmsEncodeError);
    assert.throws(() => encodePdu({ ...base, transactionId: 'a\0b' }), MmsEncodeError);
    assert.throws(() => encodePdu({ ...base, status: 0x10 }), MmsEncodeError);
    assert.deepEqual([...encodePdu({ ...base, status: 0xf0 })].slice(-1), [0xf0]); // unassigned codes pass through
  });
  test('long values use a quoted length', () => {
    const subject = 'x'.repeat(200);
    const p = decodePdu(
      encodePdu({ messageType: 'm-send-req', transactionId: 't', mmsVersion: '1.2', from: { address: 'a@b' }, subject: { text: subject, charset: 'utf-8' }, body: { contentType: { type: 'text/plain', params: {} }, data: Buffer.from('x') } }),
    );
    assert.deepEqual((p as { subject?: unknown }).subject, { text: subject, charset: 'utf-8' });
  });
});
