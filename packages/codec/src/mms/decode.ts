import { Cursor, asBuffer } from '../wsp/cursor.js';
import { asLayer, CodecDecodeError, MmsDecodeError, MmsEncodeError } from '../errors.js';
import { decodeContentType, isMultipart } from '../wsp/content-type.js';
import { decodeMultipart, salvaged, warn } from '../wsp/multipart.js';
import { FIELD_WIRE_NAME, type FieldName, type MessageType } from './constants.js';
import { FIELDS_BY_CODE, MANDATORY, MESSAGE_TYPE_NAMES } from './fields.js';
import { decodeField } from './decode-field.js';
import type { Bag, DecodeContext } from './decode-context.js';
import type { DecodeOptions, MmsBody, MmsPdu, UnknownHeader } from './types.js';

const DEFAULTS = { maxParts: 1000, maxDepth: 4, maxHeaders: 256 };

/**
 * Decodes an MMS PDU (OMA MMS Encapsulation 1.0 - 1.3). Throws MmsDecodeError (offset, reason)
 * for malformed input; accepts known handset deviations with `warnings` unless `strict`.
 * Structurally incomplete input (cut short, broken uintvars) is always an error unless `salvage`.
 * Part bodies are views into `input` (no copy): keep `input` unchanged while you use them.
 */
export function decodePdu(input: Uint8Array, opts?: DecodeOptions): MmsPdu {
  return asLayer(MmsDecodeError, MmsEncodeError, () => decode(input, opts));
}

function decode(input: Uint8Array, opts?: DecodeOptions): MmsPdu {
  if (!(input instanceof Uint8Array)) throw new MmsDecodeError('not-mms', 0, 'input is not a Uint8Array');
  const buf = asBuffer(input);
  const ctx: DecodeContext = {
    maxParts: opts?.maxParts ?? DEFAULTS.maxParts,
    maxDepth: opts?.maxDepth ?? DEFAULTS.maxDepth,
    maxHeaders: opts?.maxHeaders ?? DEFAULTS.maxHeaders,
    partCount: 0,
    salvage: opts?.salvage === true,
    warnings: undefined,
    strict: opts?.strict === true,
  };
  const c = new Cursor(buf);
  if (buf.length < 2) throw new MmsDecodeError('truncated', 0, 'too short for an MMS PDU');

  let type: MessageType | undefined;
  if (buf[0] === 0x8c) {
    type = MESSAGE_TYPE_NAMES[buf[1]! & 0x7f];
    if (!type || buf[1]! < 0x80) {
      throw new MmsDecodeError('unknown-message-type', 1, `X-Mms-Message-Type 0x${buf[1]!.toString(16)}`);
    }
    c.pos = 2;
  } else {
    type = findMessageType(buf);
    if (ctx.strict) throw new MmsDecodeError('non-conformant', 0, 'X-Mms-Message-Type is not the first header');
    warn(ctx, 0, 'X-Mms-Message-Type is not the first header');
  }

  const p: Bag = { messageType: type };
  const unknown: UnknownHeader[] = [];
  let body: MmsBody | undefined;
  try {
    body = decodeHeaders(c, p, type, ctx, unknown, opts?.headersOnly === true);
  } catch (e) {
    if (!salvaged(ctx, e)) throw e;
  }
  if (body !== undefined) p.body = body;
  if (unknown.length > 0) p.unknownHeaders = unknown;
  checkMandatory(p, ctx);
  if (ctx.warnings !== undefined) p.warnings = ctx.warnings;
  return p as unknown as MmsPdu;
}

/** The header fields, up to and including Content-Type and the body after it. */
function decodeHeaders(c: Cursor, p: Bag, type: MessageType, ctx: DecodeContext, unknown: UnknownHeader[], headersOnly: boolean): MmsBody | undefined {
  const buf = c.buf;
  let count = 0;
  while (c.pos < buf.length) {
    const at = c.pos;
    const b = buf[at]!;
    if (++count > ctx.maxHeaders) c.fail('limit-exceeded', `more than ${ctx.maxHeaders} headers`);
    if (b & 0x80) {
      const code = b & 0x7f;
      c.pos++;
      if (code === 0x04) return decodeBody(c, ctx, headersOnly);
      if (code === 0x0c) {
        // Message-Type seen again (or after others, in the lenient case): checked, not stored twice.
        const v = c.u8();
        if (at !== 0 && MESSAGE_TYPE_NAMES[v & 0x7f] !== type) {
          if (ctx.strict) c.fail('non-conformant', 'second X-Mms-Message-Type', at);
          warn(ctx, at, 'conflicting X-Mms-Message-Type ignored');
        }
        continue;
      }
      const def = FIELDS_BY_CODE[code];
      if (def === undefined || def.kind === 'raw') {
        const [s, e] = c.skipValue();
        unknown.push({ code, raw: buf.subarray(s, e) });
        continue;
      }
      try {
        decodeField(c, p, def, type, ctx);
      } catch (e) {
        if (!(e instanceof CodecDecodeError) || ctx.strict || e.reason === 'limit-exceeded' || e.structural) throw e;
        // A value in a form the spec does not allow: keep it raw, report it, go on.
        c.pos = at + 1;
        const [s, en] = c.skipValue();
        unknown.push({ code, raw: buf.subarray(s, en) });
        warn(ctx, at, `${FIELD_WIRE_NAME[def.key]}: ${e.message}; kept as an unknown header`);
      }
    } else if (b >= 0x20 && b < 0x7f) {
      // Application-header = Token-text Application-specific-value
      const name = c.textString();
      const vb = c.peek();
      if (vb === 0 || vb >= 0x20) unknown.push({ name, value: c.textString() });
      else {
        // Not a text value: kept as its raw bytes.
        const [s, e] = c.skipValue();
        unknown.push({ name, raw: buf.subarray(s, e) });
        warn(ctx, at, `application header ${name} has a binary value`);
      }
    } else {
      if (b === 0 && isZeroTail(buf, at)) {
        // Trailing NUL padding after the last header (seen from real MMSCs).
        if (ctx.strict) c.fail('non-conformant', 'NUL octets after the last header');
        warn(ctx, at, `${buf.length - at} NUL octet(s) after the last header ignored`);
        return undefined;
      }
      c.fail('invalid-value', `expected a header field name, got 0x${b.toString(16)}`);
    }
  }
  return undefined;
}

function isZeroTail(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

/** Lenient: X-Mms-Message-Type is not first; walk the headers generically to find it. */
function findMessageType(buf: Buffer): MessageType {
  const c = new Cursor(buf);
  try {
    while (c.pos < buf.length) {
      const b = c.u8();
      if (b === 0x84) break;
      if (b === 0x8c) {
        const t = MESSAGE_TYPE_NAMES[c.u8() & 0x7f];
        if (t) return t;
        break;
      }
      if (b & 0x80) c.skipValue();
      else if (b >= 0x20) {
        c.pos--;
        c.textString();
        c.skipValue();
      } else break;
    }
  } catch (e) {
    if (!(e instanceof CodecDecodeError)) throw e;
  }
  throw new MmsDecodeError('not-mms', 0, 'no X-Mms-Message-Type header: not an MMS PDU');
}

/** A MIME multipart body (`--boundary` first) sent under a WSP multipart content type. */
function looksLikeMime(buf: Buffer, start: number, end: number): boolean {
  let i = start;
  if (buf[i] === 0x0d && buf[i + 1] === 0x0a) i += 2;
  return end - i >= 3 && buf[i] === 0x2d && buf[i + 1] === 0x2d && buf[i + 2]! > 0x20 && buf[i + 2]! < 0x7f;
}

function decodeBody(c: Cursor, ctx: DecodeContext, headersOnly: boolean): MmsBody {
  const contentType = decodeContentType(c);
  const start = c.pos;
  const end = c.end;
  if (end === start && isMultipart(contentType.type)) {
    // No entry count at all (mmsd writes this for a message without attachments).
    if (ctx.strict) c.fail('non-conformant', 'multipart body without its entry count');
    warn(ctx, start, 'multipart body is empty (no entry count)');
  }
  if (!headersOnly && end > start && isMultipart(contentType.type)) {
    const mark = ctx.warnings?.length ?? 0;
    const count = ctx.partCount;
    try {
      return { contentType, parts: decodeMultipart(c, ctx, 1) };
    } catch (e) {
      if (!(e instanceof CodecDecodeError) || ctx.strict || e.reason === 'limit-exceeded') throw e;
      // A cut or broken WSP multipart is an error; a body that is not WSP-encoded at all is kept.
      if (e.structural && !looksLikeMime(c.buf, start, end)) throw e;
      if (ctx.warnings) ctx.warnings.length = mark;
      ctx.partCount = count;
      warn(ctx, start, `body is not a WSP multipart (${e.message}); kept as data`);
    }
  }
  c.pos = end;
  return { contentType, data: c.buf.subarray(start, end) };
}

function checkMandatory(p: Bag, ctx: DecodeContext): void {
  const missing: string[] = [];
  for (const f of MANDATORY[p.messageType as MessageType]) {
    if (p[f] === undefined) missing.push(f === 'body' ? 'Content-Type' : FIELD_WIRE_NAME[f as FieldName]);
  }
  if (missing.length === 0) return;
  const msg = `${String(p.messageType)} lacks mandatory ${missing.join(', ')}`;
  if (ctx.strict) throw new MmsDecodeError('non-conformant', 0, msg);
  warn(ctx, 0, msg);
}
