import { Writer } from '../wsp/writer.js';
import { asLayer, MmsDecodeError, MmsEncodeError } from '../errors.js';
import { encodeContentType } from '../wsp/content-type.js';
import { encodeMultipart } from '../wsp/multipart.js';
import { FIELD, MESSAGE_TYPE, type MessageType } from './constants.js';
import { ENCODE_ORDER, FIELDS_BY_KEY, MANDATORY } from './fields.js';
import { VERSION, arr, enumOctet, str, version, writeDeleteResults, writeField, writeUnknown } from './encode-field.js';
import type { DeleteResult, MmsBody, MmsPdu, UnknownHeader } from './types.js';

export interface EncodeOptions {
  /** Do not require the PDU's mandatory headers (for re-encoding what a lenient decode accepted). */
  lenient?: boolean;
}

const shared = new Writer(16 * 1024);
let busy = false;

/**
 * Encodes an MMS PDU into one new Buffer. Header values are written as the spec says; part
 * bodies are copied once into the output. Throws MmsEncodeError with the path of a bad value.
 */
export function encodePdu(pdu: MmsPdu, opts?: EncodeOptions): Buffer {
  // The shared writer is used unless a (synchronous) re-entrant call is already using it.
  const w = busy ? new Writer(1024) : shared;
  const mine = !busy;
  busy = true;
  try {
    w.reset();
    asLayer(MmsDecodeError, MmsEncodeError, () => writePdu(w, pdu, opts?.lenient === true));
    return w.finish();
  } finally {
    if (mine) busy = false;
  }
}

/**
 * Like encodePdu, but returns the PDU as chunks whose concatenation is the encoded PDU: header
 * bytes in fresh buffers, part bodies as the very arrays of the PDU (not copied). Use it to write
 * large PDUs to a socket or HTTP response without building one buffer.
 */
export function encodePduChunks(pdu: MmsPdu, opts?: EncodeOptions): Uint8Array[] {
  const w = busy ? new Writer(1024) : shared;
  const mine = !busy;
  busy = true;
  try {
    w.reset();
    asLayer(MmsDecodeError, MmsEncodeError, () => writePdu(w, pdu, opts?.lenient === true));
    return w.finishChunks();
  } finally {
    if (mine) busy = false;
  }
}

type Bag = Record<string, unknown>;

function writePdu(w: Writer, pdu: MmsPdu, lenient: boolean): void {
  if (pdu === null || typeof pdu !== 'object') throw new MmsEncodeError('', 'PDU must be an object');
  const type = pdu.messageType as MessageType;
  const code = MESSAGE_TYPE[type];
  if (code === undefined) throw new MmsEncodeError('messageType', `unknown message type ${String(type)}`);
  const p = pdu as unknown as Bag;
  if (!lenient) {
    for (const f of MANDATORY[type]) {
      const v = p[f];
      if (v === undefined || (Array.isArray(v) && v.length === 0)) {
        throw new MmsEncodeError(f, `mandatory in ${type}`);
      }
    }
  }
  w.u8x2(0x8c, code);
  if (p.transactionId !== undefined) {
    w.u8(0x80 | FIELD.transactionId);
    w.textString(str(p.transactionId, 'transactionId'));
  }
  if (p.mmsVersion !== undefined) {
    w.u8(0x80 | FIELD.mmsVersion);
    // A version that is not major.minor (seen from some senders) is written back as text when lenient.
    if (lenient && typeof p.mmsVersion === 'string' && !VERSION.test(p.mmsVersion)) w.textString(p.mmsVersion);
    else w.u8(version(p.mmsVersion));
  }
  for (let i = 0; i < ENCODE_ORDER.length; i++) {
    const key = ENCODE_ORDER[i]!;
    const v = p[key];
    if (v === undefined) continue;
    writeField(w, FIELDS_BY_KEY.get(key)!, v);
  }
  if (p.contentLocations !== undefined) {
    arr(p.contentLocations, 'contentLocations').forEach((v, i) => {
      w.u8(0x80 | FIELD.contentLocation);
      w.textString(str(v, `contentLocations[${i}]`));
    });
  }
  if (p.mmStates !== undefined) {
    const def = FIELDS_BY_KEY.get('mmState')!;
    arr(p.mmStates, 'mmStates').forEach((v, i) => {
      w.u8(0x80 | FIELD.mmState);
      w.u8(enumOctet(def, v, `mmStates[${i}]`));
    });
  }
  if (p.deleteResults !== undefined) writeDeleteResults(w, arr(p.deleteResults, 'deleteResults') as DeleteResult[]);
  if (p.unknownHeaders !== undefined) writeUnknown(w, arr(p.unknownHeaders, 'unknownHeaders') as UnknownHeader[]);
  if (p.body !== undefined) writeBody(w, p.body as MmsBody);
}

function writeBody(w: Writer, body: MmsBody): void {
  if (!body || typeof body !== 'object' || !body.contentType) throw new MmsEncodeError('body.contentType', 'required');
  w.u8(0x80 | FIELD.contentType);
  encodeContentType(w, body.contentType, 'body.contentType');
  if (body.parts !== undefined) encodeMultipart(w, arr(body.parts, 'body.parts') as MmsBody['parts'] & object, 'body.parts');
  else if (body.data instanceof Uint8Array) w.body(body.data);
  else throw new MmsEncodeError('body', 'needs parts or data');
}
