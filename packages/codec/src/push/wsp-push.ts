import { Cursor, asBuffer } from '../wsp/cursor.js';
import { Writer } from '../wsp/writer.js';
import { decodeContentType, encodeContentType, type ContentType } from '../wsp/content-type.js';
import { encodeWspHeaders, type WspHeader } from '../wsp/headers.js';
import { WAP_APPLICATION_IDS, WSP_HEADER, WSP_HEADER_NAMES, applicationIdCode } from '../wsp/tables.js';
import { asLayer, PushDecodeError, PushEncodeError } from '../errors.js';
import { decodeText } from '../wsp/text.js';

/** WSP PDU types used in connectionless push. */
export const WSP_PDU_TYPE = { push: 0x06, confirmedPush: 0x07 } as const;

export const MMS_CONTENT_TYPE = 'application/vnd.wap.mms-message';
export const MMS_APPLICATION_ID = 'x-wap-application:mms.ua';

/** A decoded connectionless WSP Push PDU (WAP-230-WSP 8.2.4.1). */
export interface WapPush {
  /** Transaction identifier (one octet). */
  transactionId: number;
  /** 0x06 Push (or 0x07 ConfirmedPush). */
  pduType: number;
  contentType: ContentType;
  /** The push headers after the content type, as written. */
  headers: WspHeader[];
  /** X-Wap-Application-Id: a registered name (`x-wap-application:mms.ua`), a URI, or an unregistered code. */
  applicationId?: string | number;
  /** Push-Flag, when present. */
  pushFlag?: number;
  /** The pushed content, a view into the input (an m-notification-ind for MMS). */
  body: Uint8Array;
}

/** True if the bytes look like a connectionless WSP Push PDU (TID, then PDU type 0x06 or 0x07). */
export function isWapPush(buf: Uint8Array): boolean {
  return buf.length >= 3 && (buf[1] === WSP_PDU_TYPE.push || buf[1] === WSP_PDU_TYPE.confirmedPush);
}

/** True if the push carries an MMS notification (content type application/vnd.wap.mms-message). */
export function isMmsPush(push: WapPush): boolean {
  return push.contentType.type.toLowerCase() === MMS_CONTENT_TYPE;
}

/** Decodes a connectionless WSP Push PDU. Throws PushDecodeError. */
export function decodeWapPush(input: Uint8Array): WapPush {
  return asLayer(PushDecodeError, PushEncodeError, () => decodePush(input));
}

function decodePush(input: Uint8Array): WapPush {
  const buf = asBuffer(input);
  const c = new Cursor(buf);
  const transactionId = c.u8();
  const at = c.pos;
  const pduType = c.u8();
  if (pduType !== WSP_PDU_TYPE.push && pduType !== WSP_PDU_TYPE.confirmedPush) {
    throw new PushDecodeError('invalid-value', at, `WSP PDU type 0x${pduType.toString(16)} is not Push (0x06)`);
  }
  const hlAt = c.pos;
  const hlen = c.uintvar();
  const hstart = c.pos;
  const hend = hstart + hlen;
  if (hend > buf.length) throw new PushDecodeError('truncated', hlAt, `headers length ${hlen} runs past the end (${buf.length - hstart} octets left)`);
  c.end = hend;
  const contentType = decodeContentType(c);
  const headers: WspHeader[] = [];
  let applicationId: string | number | undefined;
  let pushFlag: number | undefined;
  let count = 0;
  while (c.pos < hend) {
    if (++count > 256) c.fail('limit-exceeded', 'more than 256 push headers');
    const b = c.buf[c.pos]!;
    if (b & 0x80) {
      const code = b & 0x7f;
      c.pos++;
      const vstart = c.pos;
      const [s, e] = c.skipValue();
      headers.push({ code, name: WSP_HEADER_NAMES[code] ?? `0x${code.toString(16)}`, raw: buf.subarray(s, e) });
      const sub = new Cursor(buf, vstart, e);
      if (code === WSP_HEADER.XWapApplicationId) {
        const v = sub.peek();
        if (v === 0 || (v >= 0x20 && v < 0x80)) applicationId = sub.textString();
        else {
          const n = sub.integerValue();
          applicationId = WAP_APPLICATION_IDS.get(n) ?? n;
        }
      } else if (code === WSP_HEADER.PushFlag && sub.peek() & 0x80) {
        pushFlag = sub.u8() & 0x7f;
      }
    } else if (b >= 0x20) {
      const name = c.textString();
      const [s, e] = c.skipValue();
      let value = decodeText(buf, s, e > s && buf[e - 1] === 0 ? e - 1 : e);
      // The quote of a Text-string (0x7F) or of a Quoted-string (0x22) is not part of the value.
      if (value.charCodeAt(0) === 0x7f || value.charCodeAt(0) === 0x22) value = value.slice(1);
      headers.push({ name, value });
      if (name.toLowerCase() === 'x-wap-application-id') applicationId = value;
    } else {
      c.pos++; // shift sequences: code pages are not used in push
    }
  }
  const push: WapPush = { transactionId, pduType, contentType, headers, body: buf.subarray(hend) };
  if (applicationId !== undefined) push.applicationId = applicationId;
  if (pushFlag !== undefined) push.pushFlag = pushFlag;
  return push;
}

export interface WapPushOptions {
  /** Transaction identifier, 0..255. Default 0. */
  transactionId?: number;
  /** Default `application/vnd.wap.mms-message`. */
  contentType?: string | ContentType;
  /** X-Wap-Application-Id; default `x-wap-application:mms.ua` (written as its code, 0x84). `null` omits it. */
  applicationId?: string | number | null;
  /** Further headers, written after X-Wap-Application-Id. */
  headers?: WspHeader[];
  /** The pushed content (an encoded m-notification-ind). */
  body: Uint8Array;
}

/** Encodes a connectionless WSP Push PDU: TID, 0x06, headers length, content type, headers, body. */
export function encodeWapPush(opts: WapPushOptions): Buffer {
  return asLayer(PushDecodeError, PushEncodeError, () => encodePush(opts));
}

function encodePush(opts: WapPushOptions): Buffer {
  const tid = opts.transactionId ?? 0;
  if (!Number.isInteger(tid) || tid < 0 || tid > 255) throw new PushEncodeError('transactionId', 'must be 0..255');
  if (!(opts.body instanceof Uint8Array)) throw new PushEncodeError('body', 'must be a Uint8Array');
  const w = new Writer(256);
  const ct = opts.contentType ?? MMS_CONTENT_TYPE;
  encodeContentType(w, typeof ct === 'string' ? { type: ct, params: {} } : ct, 'contentType');
  const app = opts.applicationId === undefined ? MMS_APPLICATION_ID : opts.applicationId;
  if (app !== null) {
    w.u8(0x80 | WSP_HEADER.XWapApplicationId);
    const code = typeof app === 'number' ? app : applicationIdCode(app);
    if (code >= 0) w.integerValue(code);
    else w.textString(app as string);
  }
  if (opts.headers) encodeWspHeaders(w, opts.headers, 'headers');
  const headers = w.finish();
  const out = new Writer(headers.length + 8);
  out.u8x2(tid, WSP_PDU_TYPE.push);
  out.uintvar(headers.length);
  out.bytes(headers);
  out.bytes(opts.body);
  return out.finish();
}
