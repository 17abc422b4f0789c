import { MmsDecodeError, decodePdu, type EncodedChunks } from '@openmmsc/codec';
import { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import { EAIF_HEADER, MMS_MESSAGE } from './eaif-headers.js';

/** What an application's answer means for what we POSTed. */
export type PostOutcome =
  /** Taken (2xx; an m-send-conf in the body, if any, said Ok). */
  | { kind: 'taken'; httpStatus: number; messageId?: string }
  /** 202 Accepted: taken, with the result to follow in an asynchronous status request. */
  | { kind: 'accepted'; httpStatus: number; messageId?: string }
  /** Worth trying again: 5xx, 408, 425, 429, a transient m-send-conf status, no answer at all. */
  | { kind: 'retry'; httpStatus: number; reason: string; retryAfterMs?: number }
  /** Refused for good: any other status, or a permanent m-send-conf status. */
  | { kind: 'refused'; httpStatus: number; reason: string };

export interface PostRequest {
  url: string;
  headers: Record<string, string>;
  /** Bytes, or an encoded PDU as chunks: its part bodies are sent as stored, never joined into one buffer. */
  body: Uint8Array | EncodedChunks;
  timeoutMs: number;
  auth?: { username: string; password: string } | undefined;
  signal?: AbortSignal;
}

const agent = new Agent({ keepAliveTimeout: 30_000, connections: 32 });
const RETRYABLE = new Set([408, 425, 429]);

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function retryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/**
 * Some applications answer 200 with an m-send-conf (Mbuni's mmsbox reads one): its status
 * decides. Anything else in a 2xx body is ignored.
 */
function sendConfVerdict(body: Buffer, contentType: string | undefined): { ok: true } | { ok: false; transient: boolean; status: string } {
  if (body.length === 0 || contentType?.split(';')[0]?.trim().toLowerCase() !== MMS_MESSAGE) return { ok: true };
  try {
    const pdu = decodePdu(body);
    if (pdu.messageType !== 'm-send-conf' || pdu.responseStatus === undefined || pdu.responseStatus === 'ok') return { ok: true };
    const status = String(pdu.responseStatus);
    return { ok: false, transient: status.startsWith('error-transient') || (typeof pdu.responseStatus === 'number' && pdu.responseStatus >= 0xc0 && pdu.responseStatus < 0xe0), status };
  } catch (error) {
    if (error instanceof MmsDecodeError) return { ok: true };
    throw error;
  }
}

/** POSTs an EAIF request and classifies the answer. Never throws for HTTP or network failures. */
export async function postToApplication(req: PostRequest): Promise<PostOutcome> {
  const headers: Record<string, string> = { ...req.headers };
  let payload: Uint8Array | Readable;
  if (req.body instanceof Uint8Array) payload = req.body;
  else {
    // With its length announced, undici sends the chunks as they are (no chunked coding).
    headers['content-length'] = String(req.body.length);
    payload = Readable.from(req.body.chunks, { objectMode: false });
  }
  if (req.auth) headers.authorization = `Basic ${Buffer.from(`${req.auth.username}:${req.auth.password}`, 'utf8').toString('base64')}`;
  let res: Dispatcher.ResponseData;
  try {
    res = await request(req.url, {
      method: 'POST',
      headers,
      body: payload,
      dispatcher: agent,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
      ...(req.signal ? { signal: req.signal } : {}),
    });
  } catch (error) {
    return { kind: 'retry', httpStatus: 0, reason: `POST to ${req.url} failed: ${(error as Error).message}` };
  }
  let body: Buffer;
  try {
    body = Buffer.from(await res.body.arrayBuffer());
  } catch (error) {
    return { kind: 'retry', httpStatus: res.statusCode, reason: `answer from ${req.url} broke off: ${(error as Error).message}` };
  }
  const status = res.statusCode;
  const messageId = header(res.headers, EAIF_HEADER.messageId);
  if (status >= 200 && status < 300) {
    const conf = sendConfVerdict(body, header(res.headers, 'content-type'));
    if (!conf.ok) {
      const reason = `application answered HTTP ${status} with an m-send-conf saying ${conf.status}`;
      return conf.transient ? { kind: 'retry', httpStatus: status, reason } : { kind: 'refused', httpStatus: status, reason };
    }
    const kind = status === 202 ? 'accepted' : 'taken';
    return messageId ? { kind, httpStatus: status, messageId } : { kind, httpStatus: status };
  }
  const text = body.toString('utf8', 0, Math.min(body.length, 200)).trim();
  const reason = `application answered HTTP ${status}${text ? `: ${text}` : ''}`;
  if (status >= 500 || RETRYABLE.has(status)) {
    const after = retryAfter(header(res.headers, 'retry-after'));
    return after === undefined ? { kind: 'retry', httpStatus: status, reason } : { kind: 'retry', httpStatus: status, reason, retryAfterMs: after };
  }
  return { kind: 'refused', httpStatus: status, reason };
}
