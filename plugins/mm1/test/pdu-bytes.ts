/**
 * MMS PDUs as a handset writes them, assembled byte by byte from OMA-TS-MMS_ENC-V1_3 (header
 * field codes, message types) and WAP-230-WSP (uintvars, well-known content types), without the
 * project's encoder: these tests play a stranger's handset.
 */

/** WSP uintvar: 7 bits per octet, most significant first, continuation bit on all but the last. */
export function uintvar(n: number): number[] {
  const out = [n & 0x7f];
  for (let v = n >>> 7; v > 0; v >>>= 7) out.unshift(0x80 | (v & 0x7f));
  return out;
}

const text = (s: string): number[] => [...Buffer.from(s, 'latin1'), 0x00];

/** 2,060 bytes that start and end like a JPEG (SOI, APP0 JFIF … EOI). */
export function fakeJpeg(size = 2060, seed = 1): Buffer {
  const b = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = x >>> 16;
  }
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]).copy(b, 0);
  b[size - 2] = 0xff;
  b[size - 1] = 0xd9;
  return b;
}

export interface SendReqSpec {
  transactionId: string;
  to: string;
  text: string;
  jpeg: Buffer;
  /** Put X-Mms-Transaction-ID before X-Mms-Message-Type (a deviation lenient decoders accept). */
  typeNotFirst?: boolean;
  /** Further header fields, as bytes, written just before Content-Type. */
  extra?: number[];
}

/**
 * m-send-req, MMS 1.2, From insert-address token, one To, multipart/mixed with a text/plain
 * (utf-8) part and an image/jpeg part named photo.jpg.
 */
export function sendReqBytes(spec: SendReqSpec): Buffer {
  const type = [0x8c, 0x80]; // X-Mms-Message-Type: m-send-req
  const tid = [0x98, ...text(spec.transactionId)]; // X-Mms-Transaction-ID
  const headers = [
    ...(spec.typeNotFirst ? [...tid, ...type] : [...type, ...tid]),
    0x8d, 0x92, // X-Mms-MMS-Version: 1.2
    0x89, 0x01, 0x81, // From: Value-length 1, Insert-address-token
    0x97, ...text(`${spec.to}/TYPE=PLMN`), // To
    ...(spec.extra ?? []),
    0x84, 0xa3, // Content-Type: application/vnd.wap.multipart.mixed (well-known 0x23)
  ];
  const textData = [...Buffer.from(spec.text, 'utf8')];
  // Content-Type text/plain (0x03) with Charset (0x81) utf-8 (MIBenum 106), in the general form.
  const textHeaders = [0x03, 0x83, 0x81, 0xea];
  // Content-Type image/jpeg (0x1e), Content-Location (0x8e): photo.jpg
  const jpegHeaders = [0x9e, 0x8e, ...text('photo.jpg')];
  const body = [
    ...uintvar(2),
    ...uintvar(textHeaders.length), ...uintvar(textData.length), ...textHeaders, ...textData,
    ...uintvar(jpegHeaders.length), ...uintvar(spec.jpeg.length), ...jpegHeaders,
  ];
  return Buffer.concat([Buffer.from(headers), Buffer.from(body), spec.jpeg]);
}

/** m-acknowledge-ind, MMS 1.2, for a transaction id. */
export function acknowledgeIndBytes(transactionId: string): Buffer {
  return Buffer.from([0x8c, 0x85, 0x98, ...text(transactionId), 0x8d, 0x92]);
}

/** m-notifyresp-ind, MMS 1.2, X-Mms-Status Retrieved (0x81). */
export function notifyRespIndBytes(transactionId: string): Buffer {
  return Buffer.from([0x8c, 0x83, 0x98, ...text(transactionId), 0x8d, 0x92, 0x95, 0x81]);
}

/**
 * The header fields of a PDU by their code (0x80 | field), walked with the generic WSP value
 * rules (short integer, text to NUL, Value-length), up to the Content-Type that starts a body.
 */
export function headerFields(pdu: Uint8Array): Map<number, Uint8Array> {
  const fields = new Map<number, Uint8Array>();
  let i = 0;
  while (i < pdu.length) {
    const code = pdu[i++]!;
    if (code < 0x80) throw new Error(`not a well-known header at ${i - 1}`);
    const start = i;
    const b = pdu[i]!;
    if (b >= 0x80) i += 1;
    else if (b <= 0x1e) i += 1 + b;
    else if (b === 0x1f) {
      let len = 0;
      i++;
      while (pdu[i]! & 0x80) len = (len << 7) | (pdu[i++]! & 0x7f);
      len = (len << 7) | pdu[i++]!;
      i += len;
    } else {
      while (pdu[i] !== 0x00) i++;
      i++;
    }
    if (!fields.has(code)) fields.set(code, pdu.subarray(start, i));
    if (code === 0x84) break;
  }
  return fields;
}

/** The one-octet value of a header field (X-Mms-Response-Status 0x92, X-Mms-Retrieve-Status 0x99, …). */
export function octetOf(pdu: Uint8Array, code: number): number | undefined {
  return headerFields(pdu).get(code)?.[0];
}

/** A text header field's value (Message-ID 0x8b, X-Mms-Transaction-ID 0x98). */
export function textOf(pdu: Uint8Array, code: number): string | undefined {
  const v = headerFields(pdu).get(code);
  return v ? Buffer.from(v.subarray(0, v.length - 1)).toString('latin1') : undefined;
}
