import { connect } from 'node:net';

/**
 * The peer's side, written as a stranger would: HTTP/1.1 requests put on a TCP socket byte by
 * byte and SOAP envelopes spelled out as text, so neither our HTTP stack nor our MM7 encoder is
 * on the sending side of the tests.
 */

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** A socket error the client saw (EPIPE, ECONNRESET…), if any. */
  socketError?: string;
}

export interface RawRequestOptions {
  /** Bytes after the headers (the body, or part of it). */
  body?: Buffer | string;
  /** Headers as written; Content-Length is added when absent unless `contentLength` says otherwise. */
  headers?: Record<string, string>;
  /** Value of Content-Length to declare (default: the body's length). */
  contentLength?: number;
  /** After the body, shut down our sending side (TCP half-close) and wait for the answer. */
  halfClose?: boolean;
  /** Give up after this long (ms). */
  timeout?: number;
  path?: string;
}

/** One request on a fresh connection; resolves with whatever answer came back. */
export function rawRequest(base: string, opts: RawRequestOptions = {}): Promise<RawResponse> {
  const url = new URL(base);
  const body = typeof opts.body === 'string' ? Buffer.from(opts.body, 'utf8') : (opts.body ?? Buffer.alloc(0));
  const headers: Record<string, string> = { Host: url.host, ...opts.headers };
  headers['Content-Length'] = String(opts.contentLength ?? body.length);
  let head = `POST ${opts.path ?? url.pathname} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  head += '\r\n';
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let socketError: string | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${opts.timeout ?? 10_000} ms; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 300))}`));
    }, opts.timeout ?? 10_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      socketError = e.code ?? e.message;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const parsed = parseResponse(Buffer.concat(chunks));
      if (!parsed) {
        reject(new Error(`no HTTP answer${socketError ? ` (${socketError})` : ''}: ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 300))}`));
        return;
      }
      resolve(socketError ? { ...parsed, socketError } : parsed);
    });
    socket.on('connect', () => {
      socket.write(head);
      socket.write(body, () => {
        if (opts.halfClose) socket.end();
      });
    });
    // One request per connection: once a whole answer is in, close our side.
    socket.on('data', () => {
      const parsed = parseResponse(Buffer.concat(chunks));
      if (parsed) socket.end();
    });
  });
}

function parseResponse(raw: Buffer): RawResponse | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = raw.toString('latin1', 0, end).split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const length = Number(headers['content-length'] ?? Number.NaN);
  const body = raw.subarray(end + 4);
  if (Number.isFinite(length)) {
    if (body.length < length) return undefined;
    return { status: Number(m[1]), headers, body: body.subarray(0, length).toString('utf8') };
  }
  return undefined;
}

export const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export const NS = (release: string) => `http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/${release}`;

export interface SoapSubmit {
  release?: string;
  version?: string;
  transactionId?: string;
  vaspId?: string;
  vasId?: string;
  to?: string[];
  subject?: string;
  /** Inner elements to put in place of Recipients (e.g. '' for none). */
  recipientsXml?: string;
  contentHref?: string;
}

/** A SubmitReq envelope spelled out by hand (prefixes `soap:` and `mm7:`, as many VASPs write). */
export function soapSubmit(s: SoapSubmit = {}): string {
  const release = s.release ?? 'REL-6-MM7-1-4';
  const to = (s.to ?? ['+15550000002']).map((n) => `<mm7:Number>${n}</mm7:Number>`).join('');
  const recipients = s.recipientsXml ?? `<mm7:Recipients><mm7:To>${to}</mm7:To></mm7:Recipients>`;
  const sender = `<mm7:SenderIdentification><mm7:VASPID>${s.vaspId ?? 'acme'}</mm7:VASPID>${s.vasId ? `<mm7:VASID>${s.vasId}</mm7:VASID>` : ''}</mm7:SenderIdentification>`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:mm7="${NS(release)}">` +
    `<soap:Header><mm7:TransactionID soap:mustUnderstand="1">${s.transactionId ?? 'tx-raw-1'}</mm7:TransactionID></soap:Header>` +
    '<soap:Body><mm7:SubmitReq>' +
    `<mm7:MM7Version>${s.version ?? '6.8.0'}</mm7:MM7Version>${sender}${recipients}` +
    (s.subject !== undefined ? `<mm7:Subject>${s.subject}</mm7:Subject>` : '') +
    (s.contentHref ? `<mm7:Content href="${s.contentHref}"/>` : '') +
    '</mm7:SubmitReq></soap:Body></soap:Envelope>'
  );
}

/** A 1×1 GIF, base64 as a VASP would send it. */
export const GIF_BASE64 = 'R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==';

/** A SOAP-with-attachments body: the envelope, then one attachment with the given headers and raw text. */
export function multipartRelated(envelope: string, attachment: { headers: string[]; body: string }, opts: { closing?: boolean } = {}): { contentType: string; body: string } {
  const b = 'mm7-raw-boundary-4711';
  let body = `--${b}\r\nContent-Type: text/xml; charset="utf-8"\r\nContent-ID: <soap-start>\r\n\r\n${envelope}\r\n`;
  body += `--${b}\r\n${attachment.headers.join('\r\n')}\r\n\r\n${attachment.body}`;
  if (opts.closing !== false) body += `\r\n--${b}--\r\n`;
  return { contentType: `multipart/related; boundary="${b}"; type="text/xml"; start="<soap-start>"`, body };
}

/** StatusCode and TransactionID of an MM7 answer, read with plain regular expressions. */
export function answerFields(xml: string): { code?: number; transactionId?: string; messageId?: string; faultcode?: string } {
  const out: { code?: number; transactionId?: string; messageId?: string; faultcode?: string } = {};
  const code = /<(?:\w+:)?StatusCode>(\d+)</.exec(xml);
  if (code) out.code = Number(code[1]);
  const tx = /<(?:\w+:)?TransactionID[^>]*>([^<]*)</.exec(xml);
  if (tx) out.transactionId = tx[1];
  const id = /<(?:\w+:)?MessageID>([^<]*)</.exec(xml);
  if (id) out.messageId = id[1];
  const fc = /<faultcode[^>]*>([^<]*)</.exec(xml);
  if (fc) out.faultcode = fc[1];
  return out;
}
