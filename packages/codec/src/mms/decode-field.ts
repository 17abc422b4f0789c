import { Cursor } from '../wsp/cursor.js';
import { decodeContentType } from '../wsp/content-type.js';
import { warn } from '../wsp/multipart.js';
import { FIELD_WIRE_NAME, type MessageType } from './constants.js';
import { FIELDS_BY_CODE, INDEXED_DELETE, MULTI_CONTENT_LOCATION, MULTI_MM_STATE, type FieldDef } from './fields.js';
import { address, encodedString } from './encoded-string.js';
import type { Bag, DecodeContext } from './decode-context.js';
import type { DeleteResult, FromAddress, MboxCounts, MmFlag, TimeValue } from './types.js';
import { setOwn } from '../own.js';

/** Decoders of the MMS header field values (OMA-TS-MMS_ENC 7.3), one per field kind. */

function setOnce(c: Cursor, p: Bag, key: string, value: unknown, ctx: DecodeContext, at: number): void {
  if (p[key] !== undefined) {
    if (ctx.strict) c.fail('non-conformant', `${key} repeated`, at);
    // keep the first; the repeat is reported
    warn(ctx, at, `${key} repeated; first value kept`);
    return;
  }
  p[key] = value;
}

function pushTo(p: Bag, key: string, value: unknown): void {
  const a = p[key] as unknown[] | undefined;
  if (a === undefined) p[key] = [value];
  else a.push(value);
}

export function decodeField(c: Cursor, p: Bag, def: FieldDef, type: MessageType, ctx: DecodeContext): void {
  const at = c.pos - 1;
  const key = def.key;
  switch (def.kind) {
    case 'text': {
      if (key === 'contentLocation') {
        if (INDEXED_DELETE.has(type) && c.peek() < 0x20 && c.peek() !== 0) {
          indexed(c, p, 'contentLocation', ctx);
          return;
        }
        const v = c.textString();
        if (MULTI_CONTENT_LOCATION.has(type)) pushTo(p, 'contentLocations', v);
        else setOnce(c, p, key, v, ctx, at);
        return;
      }
      const b = c.peek();
      if (b !== 0 && b < 0x20) {
        // Some encoders send IDs as Encoded-string-value.
        warn(ctx, at, `${FIELD_WIRE_NAME[key]} written as an encoded string`);
        setOnce(c, p, key, encodedString(c, ctx).text, ctx, at);
        return;
      }
      setOnce(c, p, key, c.textString(), ctx, at);
      return;
    }
    case 'encoded':
      if (INDEXED_DELETE.has(type) && key === 'responseText' && c.peek() < 0x20 && c.peek() !== 0) {
        indexed(c, p, 'responseText', ctx);
        return;
      }
      setOnce(c, p, key, encodedString(c, ctx), ctx, at);
      return;
    case 'address':
      pushTo(p, key, address(c, ctx));
      return;
    case 'from':
      setOnce(c, p, key, from(c, ctx, at), ctx, at);
      return;
    case 'date':
      setOnce(c, p, key, new Date(dateSeconds(c) * 1000), ctx, at);
      return;
    case 'time':
      setOnce(c, p, key, timeValue(c), ctx, at);
      return;
    case 'long': {
      const b = c.peek();
      // Lenient: a Short-integer where a Long-integer belongs.
      const v = b & 0x80 ? (c.pos++, b & 0x7f) : c.longInteger();
      setOnce(c, p, key, v, ctx, at);
      return;
    }
    case 'int':
      setOnce(c, p, key, c.integerValue(), ctx, at);
      return;
    case 'bool': {
      const v = c.u8();
      if (v !== 0x80 && v !== 0x81) c.fail('invalid-value', `expected Yes (0x80) or No (0x81), got 0x${v.toString(16)}`, at + 1);
      setOnce(c, p, key, v === 0x80, ctx, at);
      return;
    }
    case 'enum': {
      if (key === 'responseStatus' && INDEXED_DELETE.has(type) && c.peek() < 0x20) {
        indexed(c, p, 'responseStatus', ctx);
        return;
      }
      const v = c.u8();
      if (v < 0x80) c.fail('invalid-value', `expected a well-known value, got 0x${v.toString(16)}`, at + 1);
      const name = def.names![v & 0x7f] ?? v;
      if (key === 'mmState' && MULTI_MM_STATE.has(type)) pushTo(p, 'mmStates', name);
      else setOnce(c, p, key, name, ctx, at);
      return;
    }
    case 'class': {
      const b = c.peek();
      if (b & 0x80) {
        c.pos++;
        setOnce(c, p, key, def.names![b & 0x7f] ?? b, ctx, at);
      } else setOnce(c, p, key, c.textString(), ctx, at);
      return;
    }
    case 'version': {
      const b = c.peek();
      if (b & 0x80) {
        c.pos++;
        const major = (b >> 4) & 0x07;
        const minor = b & 0x0f;
        setOnce(c, p, key, minor === 0x0f ? `${major}` : `${major}.${minor}`, ctx, at);
      } else {
        if (ctx.strict) c.fail('non-conformant', 'X-Mms-MMS-Version as text', at);
        warn(ctx, at, 'X-Mms-MMS-Version written as text');
        setOnce(c, p, key, c.textString(), ctx, at);
      }
      return;
    }
    case 'prevBy': {
      const outer = c.enterValue();
      const forwardedCount = c.integerValue();
      const addr = address(c, ctx);
      c.leaveValue(outer);
      pushTo(p, key, { forwardedCount, address: addr });
      return;
    }
    case 'prevDate': {
      const outer = c.enterValue();
      const forwardedCount = c.integerValue();
      const date = new Date(dateSeconds(c) * 1000);
      c.leaveValue(outer);
      pushTo(p, key, { forwardedCount, date });
      return;
    }
    case 'flags': {
      const outer = c.enterValue();
      const t = c.u8();
      const action = def.names![t & 0x7f];
      if (t < 0x80 || !action) c.fail('invalid-value', `MM-Flags token 0x${t.toString(16)}`, c.pos - 1);
      const keyword = encodedString(c, ctx);
      c.leaveValue(outer);
      pushTo(p, key, { action, keyword } as MmFlag);
      return;
    }
    case 'attr': {
      const v = c.u8();
      if (v < 0x80) c.fail('invalid-value', `X-Mms-Attributes 0x${v.toString(16)}`, at + 1);
      pushTo(p, key, FIELDS_BY_CODE[v & 0x7f]?.key ?? v);
      return;
    }
    case 'counts': {
      const outer = c.enterValue();
      const t = c.u8();
      if (t !== 0x80 && t !== 0x81) c.fail('invalid-value', `totals token 0x${t.toString(16)}`, c.pos - 1);
      const n = c.integerValue();
      c.leaveValue(outer);
      let o = p[key] as MboxCounts | undefined;
      if (o === undefined) p[key] = o = {};
      if (t === 0x80) o.messages = n;
      else o.bytes = n;
      return;
    }
    case 'element': {
      const outer = c.enterValue();
      const contentReference = c.textString();
      let params: Record<string, string> | undefined;
      while (c.pos < c.end) {
        const b = c.peek();
        let name: string;
        if (b & 0x80) {
          c.pos++;
          name = (b & 0x7f) === 0x02 ? 'type' : `0x${(b & 0x7f).toString(16)}`;
        } else {
          name = c.textString().toLowerCase();
          if (name === '') c.fail('invalid-value', 'empty parameter name');
        }
        let value: string;
        const vb = c.peek();
        if (name === 'type' && vb & 0x80) {
          c.pos++;
          value = decodeContentTypeCode(vb & 0x7f);
        } else if (vb & 0x80) {
          c.pos++;
          value = String(vb & 0x7f);
        } else value = c.quotedOrText();
        setOwn((params ??= {}), name, value);
      }
      c.leaveValue(outer);
      setOnce(c, p, key, params ? { contentReference, params } : { contentReference }, ctx, at);
      return;
    }
    default:
      c.fail('invalid-value', `unhandled field ${key}`, at);
  }
}

function decodeContentTypeCode(code: number): string {
  const c = new Cursor(Buffer.from([code | 0x80]));
  return decodeContentType(c).type;
}

/** Delete-conf forms: Value-length Status-count-value (Content-location | Response-status | Response-text). */
function indexed(c: Cursor, p: Bag, what: 'contentLocation' | 'responseStatus' | 'responseText', ctx: DecodeContext): void {
  const outer = c.enterValue();
  const index = c.integerValue();
  let list = p.deleteResults as DeleteResult[] | undefined;
  if (list === undefined) p.deleteResults = list = [];
  let r = list.find((x) => x.index === index);
  if (!r) {
    r = { index };
    list.push(r);
  }
  if (what === 'contentLocation') r.contentLocation = c.textString();
  else if (what === 'responseText') r.responseText = encodedString(c, ctx);
  else {
    const v = c.u8();
    if (v < 0x80) c.fail('invalid-value', `response status 0x${v.toString(16)}`, c.pos - 1);
    const def = FIELDS_BY_CODE[0x12]!;
    r.responseStatus = (def.names![v & 0x7f] ?? v) as DeleteResult['responseStatus'];
  }
  c.leaveValue(outer);
}

function dateSeconds(c: Cursor): number {
  const b = c.peek();
  if (b & 0x80) {
    c.pos++;
    return b & 0x7f;
  }
  const at = c.pos;
  const v = c.longInteger();
  // JavaScript dates end at 8.64e15 ms (year 275760).
  if (v > 8.64e12) c.fail('invalid-value', `date ${v} out of range`, at);
  return v;
}

function timeValue(c: Cursor): TimeValue {
  const outer = c.enterValue();
  const at = c.pos;
  const t = c.u8();
  let v: TimeValue;
  if (t === 0x80) v = { absolute: new Date(dateSeconds(c) * 1000) };
  else if (t === 0x81) v = { relativeSeconds: c.integerValue() };
  else return c.fail('invalid-value', `expected Absolute-token or Relative-token, got 0x${t.toString(16)}`, at);
  c.leaveValue(outer);
  return v;
}

/** Encoded-string-value = Text-string | Value-length Char-set Text-string. */
function from(c: Cursor, ctx: DecodeContext, at: number): FromAddress {
  const b = c.peek();
  if (b === 0 || b >= 0x20) {
    if (ctx.strict) c.fail('non-conformant', 'From without Value-length', at);
    warn(ctx, at, 'From written without Value-length and address token');
    return address(c, ctx);
  }
  const outer = c.enterValue();
  const t = c.pos < c.end ? c.u8() : 0x81;
  let v: FromAddress;
  if (t === 0x81) v = { address: '', insertAddress: true };
  else if (t === 0x80) v = c.pos < c.end ? address(c, ctx) : { address: '' };
  else {
    // Lenient: the token is missing and the encoded string starts at once.
    c.pos--;
    warn(ctx, at, 'From without Address-present-token');
    v = address(c, ctx);
  }
  c.leaveValue(outer);
  return v;
}
