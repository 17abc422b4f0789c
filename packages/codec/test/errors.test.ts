import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CodecDecodeError,
  CodecEncodeError,
  MmsDecodeError,
  MmsEncodeError,
  PushDecodeError,
  PushEncodeError,
  WspDecodeError,
  WspEncodeError,
  decodePdu,
  decodeWapPush,
  encodeCharset,
  encodePdu,
  encodeWapPush,
  parseUdh,
  type MmsPdu,
} from '../src/index.js';
import { samplePdus } from './fixtures.js';

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  assert.fail('no error thrown');
}

describe('errors are named after the layer that raises them', () => {
  test('a WSP string cut short inside an MMS PDU: decodePdu reports an MmsDecodeError, the WSP layer\'s error as its cause', () => {
    // X-Mms-Message-Type m-send-req, X-Mms-Transaction-ID "AB" with no terminating NUL.
    const e = caught(() => decodePdu(Buffer.from([0x8c, 0x80, 0x98, 0x41, 0x42])));
    assert.ok(e instanceof MmsDecodeError, String(e));
    assert.equal(e.name, 'MmsDecodeError');
    assert.ok(e instanceof CodecDecodeError);
    assert.ok(e.cause instanceof WspDecodeError, 'the WSP layer raised it');
    assert.equal(e.reason, (e.cause as WspDecodeError).reason);
    assert.equal(e.offset, (e.cause as WspDecodeError).offset);
    assert.equal(e.message, (e.cause as WspDecodeError).message);
  });

  test('a WAP Push with a bad content type: PushDecodeError; a bad user-data header: PushDecodeError', () => {
    // Connectionless push: TID 1, PDU type 0x06 (Push), headers length 3, but only 1 octet left.
    const push = caught(() => decodeWapPush(Buffer.from([0x01, 0x06, 0x03, 0xbe])));
    assert.ok(push instanceof PushDecodeError && push instanceof CodecDecodeError, String(push));
    assert.equal(push.name, 'PushDecodeError');
    const udh = caught(() => parseUdh(Buffer.from([0x0c, 0x08, 0x04])));
    assert.ok(udh instanceof PushDecodeError && !(udh instanceof MmsDecodeError), String(udh));
  });

  test('encoders: WSP for a charset, MMS for a PDU (whatever layer failed below), Push for a push', () => {
    assert.ok(caught(() => encodeCharset('漢', 'iso-8859-1')) instanceof WspEncodeError);
    // A subject the WSP charset layer cannot write, inside an m-send-req.
    const sendReq = samplePdus().find((p) => p.messageType === 'm-send-req')!;
    const pdu = caught(() => encodePdu({ ...sendReq, subject: { text: '漢', charset: 'iso-8859-1' } } as MmsPdu));
    assert.ok(pdu instanceof MmsEncodeError && pdu instanceof CodecEncodeError, String(pdu));
    assert.equal((pdu as MmsEncodeError).path, 'subject');
    const push = caught(() => encodeWapPush({ transactionId: 300, contentType: 'application/vnd.wap.mms-message', body: new Uint8Array() }));
    assert.ok(push instanceof PushEncodeError && push instanceof CodecEncodeError, String(push));
  });
});
