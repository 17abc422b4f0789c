import { Writer, type EncodedChunks } from '../wsp/writer.js';
import { asLayer, MmsDecodeError, MmsEncodeError } from '../errors.js';
import { encodeContentType } from '../wsp/content-type.js';
import { encodeMultipart } from '../wsp/multipart.js';
import { FIELD, MESSAGE_TYPE, type MessageType } from './constants.js';
import { ENCODE_ORDER, FIELDS_BY_KEY, MANDATORY, type FieldDef } from './fields.js';
import { VERSION, arr, enumOctet, str, version, writeDeleteResults, writeField, writeUnknown } from './encode-field.js';
import type { DeleteResult, MmsBody, MmsPdu, UnknownHeader } from './types.js';

export interface EncodeOptions {
  /** Do not require the PDU's mandatory headers (for re-encoding what a lenient decode accepted). */
  lenient?: boolean;
}

const shared = new Writer(16 * 1024);
let busy = false;

/** Runs the encoding into the shared writer, or a fresh one for a (synchronous) re-entrant call. */
function withWriter<T>(pdu: MmsPdu, opts: EncodeOptions | undefined, finish: (w: Writer) => T): T {
  const w = busy ? new Writer(1024) : shared;
  const mine = !busy;
  busy = true;
  try {
    w.reset();
    asLayer(MmsDecodeError, MmsEncodeError, () => writePdu(w, pdu, opts?.lenient === true));
    return finish(w);
  } finally {
    if (mine) busy = false;
  }
}

const toBuffer = (w: Writer): Buffer => w.finish();
const toChunks = (w: Writer): EncodedChunks => w.finishChunks();

/**
 * Encodes an MMS PDU into one new Buffer. Header values are written as the spec says; part
 * bodies are copied once into the output. Throws MmsEncodeError with the path of a bad value.
 * To write a PDU to a socket or HTTP response, `encodePduVectored` saves that copy.
 */
export function encodePdu(pdu: MmsPdu, opts?: EncodeOptions): Buffer {
  return withWriter(pdu, opts, toBuffer);
}

/**
 * Encodes an MMS PDU as chunks whose concatenation is exactly what `encodePdu` returns, and their
 * total length: header bytes in fresh buffers, part bodies (of 1 KB or more) as the very arrays of
 * the PDU, not copied. For writing large PDUs to a socket or HTTP response as they are (a
 * vectored write), without building one buffer. The chunks reference the PDU's bodies: do not
 * change those until the chunks are written.
 */
export function encodePduVectored(pdu: MmsPdu, opts?: EncodeOptions): EncodedChunks {
  return withWriter(pdu, opts, toChunks);
}

/** The chunks of `encodePduVectored`, without their total length. */
export function encodePduChunks(pdu: MmsPdu, opts?: EncodeOptions): Uint8Array[] {
  return encodePduVectored(pdu, opts).chunks;
}

/** Position of each field in ENCODE_ORDER, and its definition. */
const ORDER = new Map<string, number>(ENCODE_ORDER.map((k, i) => [k, i]));
const ORDERED_DEFS: readonly FieldDef[] = ENCODE_ORDER.map((k) => FIELDS_BY_KEY.get(k)!);

/**
 * The ENCODE_ORDER positions of the fields the PDU has, sorted: a PDU has a handful of the 57
 * fields, and looking each of them up on the object cost more than the rest of the headers.
 */
function presentFields(p: Bag): number[] {
  const found: number[] = [];
  for (const key in p) {
    const i = ORDER.get(key);
    if (i === undefined || p[key] === undefined) continue;
    let j = found.length;
    found.push(i);
    while (j > 0 && found[j - 1]! > i) {
      found[j] = found[j - 1]!;
      j--;
    }
    found[j] = i;
  }
  return found;
}

/** Octet of an MMS version string, remembered: there are a few of them. */
const versions = new Map<string, number>();
function versionOctet(v: unknown): number {
  const known = typeof v === 'string' ? versions.get(v) : undefined;
  if (known !== undefined) return known;
  const o = version(v);
  if (versions.size < 64) versions.set(v as string, o);
  return o;
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
    if (lenient && typeof p.mmsVersion === 'string' && !versions.has(p.mmsVersion) && !VERSION.test(p.mmsVersion)) w.textString(p.mmsVersion);
    else w.u8(versionOctet(p.mmsVersion));
  }
  const fields = presentFields(p);
  for (let i = 0; i < fields.length; i++) {
    const def = ORDERED_DEFS[fields[i]!]!;
    writeField(w, def, p[def.key]);
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
