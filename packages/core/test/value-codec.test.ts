/**
 * The store's value codec: JSON text that keeps dates and bytes. Each expected text below is
 * written out by hand, so the test holds the format, not only the round trip.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeValue, encodeValue } from '../src/store/value-codec.js';

describe('value codec', () => {
  it('writes a value with neither dates nor bytes as JSON.stringify does, and leaves it untouched', () => {
    const record = { index: 0, address: { type: 'plmn', value: '+15550000002' }, history: [{ state: 'received', at: 1 }], gone: undefined, list: [1, undefined] };
    const before = structuredClone(record);
    assert.equal(encodeValue(record), '{"index":0,"address":{"type":"plmn","value":"+15550000002"},"history":[{"state":"received","at":1}],"list":[1,null]}');
    assert.deepEqual(record, before);
  });

  it('tags dates and bytes wherever they are, without changing the value it was given', () => {
    const at = new Date(Date.UTC(2026, 11, 7, 12, 0, 0));
    const body = Buffer.from('hello');
    const inner = Uint8Array.from([0xff, 0x00, 0x41]).subarray(1); // a view into a larger buffer
    const value = { headers: { date: at, to: [{ value: '+1' }] }, parts: [{ body }, { body: inner }], plain: { n: 1 } };
    const text = encodeValue(value);
    assert.equal(
      text,
      '{"headers":{"date":{"$openmmsc:date":1796644800000},"to":[{"value":"+1"}]},"parts":[{"body":{"$openmmsc:b64":"aGVsbG8="}},{"body":{"$openmmsc:b64":"AEE="}}],"plain":{"n":1}}',
    );
    assert.equal(value.headers.date, at, 'the date stays a Date in the value given');
    assert.equal(value.parts[0]!.body, body);

    const back = decodeValue<typeof value>(text);
    assert.ok(back.headers.date instanceof Date);
    assert.equal(back.headers.date.getTime(), at.getTime());
    assert.ok(Buffer.isBuffer(back.parts[0]!.body));
    assert.equal(Buffer.from(back.parts[0]!.body).toString(), 'hello');
    assert.deepEqual([...back.parts[1]!.body], [0x00, 0x41]);
    assert.deepEqual(back.plain, { n: 1 });
  });

  it('reads text written by hand: tags anywhere, arrays of them, and JSON without any', () => {
    const back = decodeValue<{ when: Date[]; deep: { b: Buffer }; n: null; s: string }>(
      '{"when":[{"$openmmsc:date":0},{"$openmmsc:date":86400000}],"deep":{"b":{"$openmmsc:b64":"AAEC"}},"n":null,"s":"$openmmsc:date"}',
    );
    assert.deepEqual(back.when.map((d) => d.toISOString()), ['1970-01-01T00:00:00.000Z', '1970-01-02T00:00:00.000Z']);
    assert.deepEqual([...back.deep.b], [0, 1, 2]);
    assert.equal(back.n, null);
    assert.equal(back.s, '$openmmsc:date', 'a string that looks like a tag is only a string');
    assert.deepEqual(decodeValue('[1,"two",{"three":[3]}]'), [1, 'two', { three: [3] }]);
  });
});
