import {
  CodecDecodeError,
  SmsReassembler,
  WAP_PUSH_PORT,
  decodePdu,
  decodeSmsTpdu,
  decodeWapPush,
  isMmsPush,
  isWapPush,
  parseUdh,
  pduToJson,
  toJson,
  type JsonObject,
  type JsonValue,
  type ReassembledSms,
  type SmsTpdu,
} from '@openmmsc/codec';
import type { DecodeInput } from './decode-input.js';
import { UsageError } from '../usage.js';

/** What `openmmsc decode` reads: an MMS PDU, a connectionless WSP Push PDU, or SMS TPDUs. */
export type DecodeKind = 'mms' | 'push' | 'sms';

export interface LayerOptions {
  /** Forced kind; detected from the octets when absent. */
  kind?: DecodeKind;
  /** Return what can be read of structurally incomplete input, with warnings (`--lenient`). */
  salvage: boolean;
  strict: boolean;
  /** SMS TPDUs start with the SMSC address; tried both ways when absent. */
  smsc?: boolean;
}

/** A decode failure inside one layer (`sms segment 2`, `wap push`, `wap push > mms`): one line for the user. */
export class LayerError extends Error {
  override readonly name = 'LayerError';
  constructor(
    readonly layer: string,
    message: string,
  ) {
    super(`${layer}: ${message}`);
  }
}

export interface Decoded {
  kind: DecodeKind;
  json: JsonObject;
  /** Deviations and salvaged problems, `layer: offset N: message`, for stderr. */
  warnings: string[];
}

interface Ctx extends LayerOptions {
  warnings: string[];
}

function inLayer<T>(layer: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CodecDecodeError) throw new LayerError(layer, e.message);
    throw e;
  }
}

function mms(bytes: Uint8Array, ctx: Ctx, layer: string): JsonObject {
  const pdu = inLayer(layer, () => decodePdu(bytes, { salvage: ctx.salvage, strict: ctx.strict }));
  for (const w of pdu.warnings ?? []) ctx.warnings.push(`${layer}: offset ${w.offset}: ${w.message}`);
  return pduToJson(pdu);
}

function push(bytes: Uint8Array, ctx: Ctx, layer: string): JsonObject {
  const p = inLayer(layer, () => decodeWapPush(bytes));
  const { body, ...rest } = p;
  const wapPush = toJson(rest) as JsonObject;
  if (!isMmsPush(p)) return { wapPush: { ...wapPush, body: toJson(body) } };
  // Offsets inside the notification count from the start of the push body.
  return { wapPush, mms: mms(body, ctx, `${layer} > mms (push body at offset ${body.byteOffset - bytes.byteOffset})`) };
}

/** Where the TPDU's user data ends, to tell whether an SMSC address came first. */
function consumedAll(t: SmsTpdu, seg: Uint8Array): boolean {
  return t.userData.byteOffset + t.userData.length - seg.byteOffset === seg.length;
}

/** One TPDU; `exact` (for detection) accepts only a reading that ends where the input ends. */
function smsTpdu(seg: Uint8Array, ctx: Ctx, layer: string, exact = false): SmsTpdu {
  if (ctx.smsc !== undefined) return inLayer(layer, () => decodeSmsTpdu(seg, { withSmsc: ctx.smsc }));
  let first: SmsTpdu | undefined;
  let error: unknown;
  for (const withSmsc of [false, true]) {
    try {
      const t = decodeSmsTpdu(seg, { withSmsc });
      if (consumedAll(t, seg)) return t;
      first ??= t;
    } catch (e) {
      if (!(e instanceof CodecDecodeError)) throw e;
      error ??= e;
    }
  }
  if (first && !exact) {
    ctx.warnings.push(`${layer}: octets after the TP-User-Data ignored`);
    return first;
  }
  throw new LayerError(layer, error instanceof CodecDecodeError ? error.message : 'the TP-User-Data does not end where the data ends');
}

function sms(segments: Buffer[], ctx: Ctx): JsonObject {
  const reassembler = new SmsReassembler();
  const list: JsonValue[] = [];
  let message: ReassembledSms | undefined;
  segments.forEach((seg, i) => {
    const layer = segments.length > 1 ? `sms segment ${i + 1}` : 'sms';
    const t = smsTpdu(seg, ctx, layer);
    const entry = toJson(t) as JsonObject;
    if (t.udhi) {
      const { udh } = inLayer(layer, () => parseUdh(t.userData));
      entry.udh = toJson({ ports: udh.ports, concat: udh.concat });
    }
    list.push(entry);
    const r = inLayer(layer, () => reassembler.push(t.type === 'deliver' ? t.originator : t.destination, t.userData, t.udhi));
    if (r) message = r;
  });
  const out: JsonObject = { sms: list };
  if (!message) {
    const problem = `the ${segments.length} segment(s) do not make a complete message`;
    if (!ctx.salvage) throw new LayerError('sms', problem);
    ctx.warnings.push(`sms: ${problem}`);
    return out;
  }
  if (message.ports?.destination === WAP_PUSH_PORT || isWapPush(message.payload)) return { ...out, ...push(message.payload, ctx, 'sms > wap push') };
  return { ...out, payload: toJson(message.payload) };
}

function decodes(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (e instanceof CodecDecodeError || e instanceof LayerError) return false;
    throw e;
  }
}

/** The kind of input, from its first octets; SMS when nothing else fits. */
function detect(inputs: readonly DecodeInput[], ctx: Ctx): DecodeKind | undefined {
  if (inputs.length > 1) return 'sms';
  const { bytes, lines } = inputs[0]!;
  if (bytes[0] === 0x8c) return 'mms';
  if (isWapPush(bytes) && decodes(() => decodeWapPush(bytes))) return 'push';
  if (lines || decodes(() => smsTpdu(bytes, { ...ctx, warnings: [] }, 'sms', true))) return 'sms';
  // An MMS PDU whose X-Mms-Message-Type is not first (decodePdu looks for it), or nothing known.
  return decodes(() => decodePdu(bytes, { salvage: ctx.salvage })) ? 'mms' : undefined;
}

/** Decodes the inputs as one message of the given (or detected) kind, down to the MMS PDU inside. */
export function decodeInputs(inputs: readonly DecodeInput[], opts: LayerOptions): Decoded {
  const ctx: Ctx = { ...opts, warnings: [] };
  const kind = opts.kind ?? detect(inputs, ctx);
  if (kind === undefined) {
    throw new LayerError('input', 'not an MMS PDU, a WAP Push or an SMS TPDU that decodes (force the kind with --mms, --push or --sms)');
  }
  if (kind !== 'sms' && inputs.length > 1) throw new UsageError(`an ${kind === 'mms' ? 'MMS PDU' : 'WAP Push'} is one input; several are the segments of an SMS`);
  const first = inputs[0]!;
  let json: JsonObject;
  if (kind === 'mms') json = mms(first.bytes, ctx, 'mms');
  else if (kind === 'push') json = push(first.bytes, ctx, 'wap push');
  else json = sms(inputs.flatMap((i) => i.lines ?? [i.bytes]), ctx);
  return { kind, json, warnings: ctx.warnings };
}
