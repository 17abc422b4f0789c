import { randomBytes } from 'node:crypto';
import type { MimeLeaf } from '@openmmsc/mime';
import { Agent, request, type Dispatcher } from 'undici';
import { decodeMm7, type DecodedMm7, type HttpPayload } from './transport.js';
import { encodeMm7 } from './transport.js';
import { DEFAULT_DIALECT, type Dialect } from './encode.js';
import type { Mm7Address, Mm7Recipients, Mm7Request, Mm7Response, Mm7Status, SubmitReq } from './model.js';
import { LATEST_RELEASE, RELEASES, type ReleaseName } from './releases.js';
import { Mm7DecodeError } from './decode.js';

export interface PostOptions {
  auth?: { username: string; password: string };
  /** SOAPAction header value (sent quoted). */
  soapAction?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
}

/** What came back from an MM7 POST: the decoded answer, or why there is none. */
export interface PostResult {
  httpStatus: number;
  /** The answer's status: from the response element, or the fault's RSErrorRsp/VASPErrorRsp. */
  status?: Mm7Status;
  response?: Mm7Response;
  decoded?: DecodedMm7;
  /** Seconds of a Retry-After header, in ms. */
  retryAfterMs?: number;
  /** Transport or decoding failure (no usable MM7 answer). */
  error?: string;
}

const sharedAgent = new Agent({ keepAliveTimeout: 30_000, connections: 64, pipelining: 1 });

function retryAfter(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const secs = Number.parseInt(v, 10);
  if (Number.isFinite(secs)) return secs * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** POSTs an MM7 payload and decodes the answer. Never throws for HTTP or MM7 errors. */
export async function postMm7(url: string, payload: HttpPayload, opts: PostOptions = {}): Promise<PostResult> {
  const headers: Record<string, string> = {
    'content-type': payload.contentType,
    soapaction: `"${opts.soapAction ?? ''}"`,
  };
  if (opts.auth) headers.authorization = `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString('base64')}`;
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      method: 'POST',
      headers,
      body: payload.body,
      dispatcher: opts.dispatcher ?? sharedAgent,
      headersTimeout: opts.timeoutMs ?? 30_000,
      bodyTimeout: opts.timeoutMs ?? 30_000,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (error) {
    return { httpStatus: 0, error: `request to ${url} failed: ${(error as Error).message}` };
  }
  const body = Buffer.from(await res.body.arrayBuffer());
  const out: PostResult = { httpStatus: res.statusCode };
  const ra = retryAfter(res.headers['retry-after']);
  if (ra !== undefined) out.retryAfterMs = ra;
  if (body.length === 0) {
    out.error = `HTTP ${res.statusCode} with an empty body`;
    return out;
  }
  const ct = res.headers['content-type'];
  try {
    const decoded = decodeMm7(Array.isArray(ct) ? ct[0] : ct, body);
    out.decoded = decoded;
    const env = decoded.envelope;
    if (env.fault) {
      out.status = env.fault.detail?.status ?? { code: env.fault.faultcode === 'Client' ? 2000 : 3000, text: env.fault.faultstring };
    } else if (env.body && 'status' in env.body) {
      out.response = env.body;
      out.status = env.body.status;
    } else {
      out.error = `HTTP ${res.statusCode}: the answer is a ${env.bodyType}, not a response`;
    }
  } catch (error) {
    out.error = `HTTP ${res.statusCode}: unreadable answer (${error instanceof Mm7DecodeError ? error.message : (error as Error).message})`;
  }
  return out;
}

export function newTransactionId(): string {
  return `tx${randomBytes(9).toString('hex')}`;
}

/** `+1555…` → Number, `a@b` → RFC2822Address, up to 6 digits → ShortCode. */
export function guessAddress(value: string): Mm7Address {
  const v = value.trim();
  if (v.includes('@')) return { kind: 'RFC2822Address', value: v };
  if (/^\d{1,6}$/.test(v)) return { kind: 'ShortCode', value: v };
  return { kind: 'Number', value: v };
}

export interface Mm7ClientOptions {
  /** The MMSC's MM7 URL. */
  url: string;
  vaspId: string;
  vasId?: string;
  username?: string;
  password?: string;
  release?: ReleaseName;
  /** MM7Version to send (default: the release's newest). */
  version?: string;
  dialect?: Partial<Dialect>;
  soapAction?: string;
  transferEncoding?: 'binary' | 'base64';
  timeoutMs?: number;
  /** Parallel connections (default 16). */
  connections?: number;
  /** Called with every request before it is sent (for logging and tests). */
  onSend?: (payload: HttpPayload, body: Mm7Request) => void;
}

export interface SubmitOptions extends Partial<Omit<SubmitReq, 'type' | 'senderIdentification' | 'recipients' | 'content'>> {
  to?: readonly string[];
  cc?: readonly string[];
  bcc?: readonly string[];
  recipients?: Mm7Recipients;
  from?: string;
  parts?: readonly MimeLeaf[];
  transactionId?: string;
}

export interface ClientAnswer extends PostResult {
  transactionId: string;
  messageId?: string;
}

/** An MM7 client for VASPs (the `openmmsc vasp` command and the simulated VASP use it). */
export class Mm7Client {
  private readonly agent: Agent;
  private readonly dialect: Dialect;
  constructor(readonly options: Mm7ClientOptions) {
    this.agent = new Agent({ keepAliveTimeout: 30_000, connections: options.connections ?? 16 });
    this.dialect = { ...DEFAULT_DIALECT, ...options.dialect };
  }

  private get release() {
    return RELEASES[this.options.release ?? LATEST_RELEASE];
  }

  private sender() {
    const s: SubmitReq['senderIdentification'] = { vaspId: this.options.vaspId };
    if (this.options.vasId) s.vasId = this.options.vasId;
    return s;
  }

  /** Sends any MM7 request (with optional content) and decodes the answer. */
  async send(body: Mm7Request, parts?: readonly MimeLeaf[], transactionId = newTransactionId()): Promise<ClientAnswer> {
    const payload = encodeMm7(
      { release: this.release, transactionId, body, dialect: this.dialect, ...(this.options.version ? { version: this.options.version } : {}) },
      parts && parts.length ? { parts, transferEncoding: this.options.transferEncoding ?? 'binary' } : undefined,
    );
    this.options.onSend?.(payload, body);
    const opts: PostOptions = { dispatcher: this.agent, timeoutMs: this.options.timeoutMs ?? 30_000 };
    if (this.options.password !== undefined) opts.auth = { username: this.options.username ?? this.options.vaspId, password: this.options.password };
    if (this.options.soapAction !== undefined) opts.soapAction = this.options.soapAction;
    const result = await postMm7(this.options.url, payload, opts);
    const answer: ClientAnswer = { ...result, transactionId };
    const r = result.response;
    if (r && (r.type === 'SubmitRsp' || r.type === 'extendedReplaceRsp') && r.messageId) answer.messageId = r.messageId;
    return answer;
  }

  submit(opts: SubmitOptions): Promise<ClientAnswer> {
    const { to, cc, bcc, recipients, from, parts, transactionId, ...rest } = opts;
    const sender = this.sender();
    if (from) sender.senderAddress = guessAddress(from);
    const body: SubmitReq = {
      ...rest,
      type: 'SubmitReq',
      senderIdentification: sender,
      recipients: recipients ?? { to: (to ?? []).map(guessAddress), cc: (cc ?? []).map(guessAddress), bcc: (bcc ?? []).map(guessAddress) },
    };
    return this.send(body, parts, transactionId);
  }

  cancel(messageId: string): Promise<ClientAnswer> {
    return this.send({ type: 'CancelReq', senderIdentification: this.sender(), messageId });
  }

  replace(messageId: string, parts?: readonly MimeLeaf[], extra: { readReply?: boolean; earliestDeliveryTime?: string } = {}): Promise<ClientAnswer> {
    return this.send({ type: 'ReplaceReq', senderIdentification: this.sender(), messageId, ...extra }, parts);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
