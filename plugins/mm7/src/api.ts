import { configuredAddress, MessageChangeError, type Address, type IngressDeps, type MmsHeaders, type MmsPart, type PresentedCertificate } from '@openmmsc/core';
import { z } from 'zod';
import { authenticate, type Accounts, type VaspAccount } from './accounts.js';
import { resolveDate } from '@openmmsc/mm7';
import { decodeTransferEncoding, header, MimeError, parseContentType, parseParams, splitEntity, splitMultipart } from '@openmmsc/mime';
import { statusForReason } from './reasons.js';
import { partsSize } from './mapping.js';
import { retryAfterSeconds } from './answers.js';

const addressList = z.union([z.string().min(1), z.array(z.string().min(1))]).transform((v) => (Array.isArray(v) ? v : v.split(',').map((s) => s.trim()).filter(Boolean)));

export const sendRequest = z.object({
  to: addressList,
  cc: addressList.default([]),
  bcc: addressList.default([]),
  from: z.string().optional(),
  subject: z.string().max(1000).optional(),
  text: z.string().optional(),
  attachments: z
    .array(
      z.object({
        contentType: z.string().min(3),
        filename: z.string().optional(),
        contentId: z.string().optional(),
        data: z.string().describe('base64'),
      }),
    )
    .default([]),
  deliveryReport: z.boolean().default(false),
  readReport: z.boolean().default(false),
  messageClass: z.enum(['personal', 'advertisement', 'informational', 'auto']).optional(),
  priority: z.enum(['low', 'normal', 'high']).optional(),
  expiry: z.string().optional().describe('ISO 8601 date-time or duration (P1D)'),
  deliveryTime: z.string().optional().describe('ISO 8601 date-time or duration'),
});
export type SendRequest = z.output<typeof sendRequest>;

export interface ApiRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  authorization: string | undefined;
  ip: string;
  body: unknown;
  /** The TLS client certificate, when the request came over HTTPS with one. */
  certificate?: PresentedCertificate | undefined;
}

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface ApiDeps extends Pick<IngressDeps<unknown, unknown>, 'name' | 'mmsc' | 'log' | 'now' | 'kernelLimits'> {
  accounts: Accounts;
}

const HTTP_FOR_CODE = (code: number) => (code === 4006 ? 503 : code >= 3000 && code < 4000 ? 502 : code === 4001 ? 401 : code === 2001 || code === 4007 || code === 4008 ? 403 : 422);

function error(status: number, code: string, message: string, extra: Record<string, unknown> = {}): ApiResponse {
  return { status, body: { error: { code, message }, ...extra } };
}

/** Reads a multipart/form-data upload into a send request (fields + files as attachments). */
function fromFormData(body: Buffer, contentType: string): unknown {
  const ct = parseContentType(contentType);
  const boundary = ct.params.boundary;
  if (!boundary) throw new MimeError('no-boundary', 'multipart/form-data without a boundary');
  const out: Record<string, unknown> = { attachments: [] as unknown[] };
  const lists: Record<string, string[]> = { to: [], cc: [], bcc: [] };
  const limits = { maxParts: 100, maxDepth: 1, maxHeaderBytes: 16 * 1024 };
  for (const piece of splitMultipart(body, boundary, { limits })) {
    const part = splitEntity(piece, limits);
    const disposition = parseParams(header(part.headers, 'content-disposition') ?? '')[1];
    const name = disposition.name ?? '';
    const type = header(part.headers, 'content-type');
    if (disposition.filename !== undefined || (type && !type.startsWith('text/plain'))) {
      (out.attachments as unknown[]).push({
        contentType: type ?? 'application/octet-stream',
        filename: disposition.filename ?? name,
        data: part.body.toString('base64'),
      });
      continue;
    }
    const value = part.body.toString('utf8');
    if (name in lists) lists[name]!.push(...value.split(',').map((s) => s.trim()).filter(Boolean));
    else if (name === 'deliveryReport' || name === 'readReport') out[name] = value === 'true' || value === '1' || value === 'on';
    else if (name) out[name] = value;
  }
  for (const [k, v] of Object.entries(lists)) if (v.length) out[k] = v;
  return out;
}

/** The plain HTTP send API: JSON or multipart/form-data in, JSON out; same accounts as MM7. */
export class SendApi {
  constructor(private readonly deps: ApiDeps) {}

  async handle(req: ApiRequest, route: 'send' | 'status' | 'cancel', id?: string): Promise<ApiResponse> {
    const auth = authenticate(this.deps.accounts, req.authorization, req.ip, req.certificate);
    if (!auth.ok) {
      if (auth.reason === 'address-not-allowed') return error(403, 'address-not-allowed', 'this account may not connect from this address');
      if (auth.reason === 'certificate-required') return error(403, 'certificate-required', 'this account must present its own TLS client certificate');
      return { ...error(401, 'unauthorized', 'valid HTTP Basic credentials are required'), headers: { 'www-authenticate': 'Basic realm="OpenMMSC API"' } };
    }
    const account = auth.account;
    const wait = account.rate.take();
    if (wait > 0) return { ...error(429, 'rate-limited', `throughput limit of ${account.options.throughput}/s reached`), headers: { 'retry-after': String(Math.max(1, Math.ceil(wait / 1000))) } };
    try {
      if (route === 'send') return await this.send(account, req);
      if (route === 'status') return await this.status(account, id!);
      return await this.cancel(account, id!);
    } catch (e) {
      this.deps.log.error({ err: e, vasp: account.id }, 'API request failed');
      return error(500, 'internal-error', 'temporary failure; try again');
    }
  }

  private async send(account: VaspAccount, req: ApiRequest): Promise<ApiResponse> {
    let raw: unknown = req.body;
    const type = parseContentType(req.contentType, 'application/json', false).type;
    if (type === 'multipart/form-data') {
      try {
        raw = fromFormData(req.body as Buffer, req.contentType!);
      } catch (e) {
        return error(400, 'format-corrupt', `unreadable form data: ${(e as Error).message}`);
      }
    } else if (type !== 'application/json') {
      return error(415, 'unsupported-media-type', 'send application/json or multipart/form-data');
    }
    const parsed = sendRequest.safeParse(raw);
    if (!parsed.success) return error(400, 'validation-error', z.prettifyError(parsed.error));
    const input = parsed.data;
    const { mmsc } = this.deps;
    const maxRecipients = account.options.maxRecipients ?? this.deps.kernelLimits.maxRecipients;
    const count = input.to.length + input.cc.length + input.bcc.length;
    if (count === 0) return error(400, 'validation-error', 'at least one recipient is required');
    if (count > maxRecipients) return error(403, 'too-many-recipients', `${count} recipients; at most ${maxRecipients} allowed`);

    const refused: Array<{ address: string; status: 'rejected'; code: string; reason: string }> = [];
    const convert = (list: string[]) => {
      const out: Address[] = [];
      for (const a of list) {
        try {
          out.push(mmsc.parseAddress(a));
        } catch (e) {
          refused.push({ address: a, status: 'rejected', code: 'address-unresolved', reason: (e as Error).message });
        }
      }
      return out;
    };
    const to = convert(input.to);
    const cc = convert(input.cc);
    const bcc = convert(input.bcc);
    if (to.length + cc.length + bcc.length === 0) return error(422, 'address-unresolved', 'no valid recipient', { recipients: refused });

    let from = account.defaultSender;
    if (input.from) {
      try {
        from = configuredAddress(input.from, (r) => mmsc.parseAddress(r));
      } catch (e) {
        return error(400, 'sending-address-unresolved', (e as Error).message);
      }
      if (!account.senders.has(`${from.type}:${from.value}`)) return error(403, 'service-denied', `sender ${from.value} is not allowed for this account`);
    }
    if (!from) return error(400, 'sending-address-unresolved', 'no from given and no default sender configured');

    const parts: MmsPart[] = [];
    if (input.text !== undefined) parts.push({ contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, contentLocation: 'text.txt', data: Buffer.from(input.text, 'utf8') });
    for (const [i, a] of input.attachments.entries()) {
      let data: Buffer;
      try {
        // Strict base64: an attachment cut short is refused, not stored with its tail missing.
        data = decodeTransferEncoding(Buffer.from(a.data, 'latin1'), 'base64');
      } catch (e) {
        return error(400, 'format-corrupt', `attachments[${i}].data: ${(e as Error).message}`);
      }
      const part: MmsPart = { contentType: parseContentType(a.contentType, 'application/octet-stream', false), data, contentId: a.contentId ?? `att${i}` };
      if (a.filename) part.contentLocation = a.filename;
      parts.push(part);
    }
    if (parts.length === 0) return error(400, 'validation-error', 'a message needs text or at least one attachment');
    const maxSize = account.options.maxMessageSize ?? this.deps.kernelLimits.maxMessageSize;
    if (partsSize(parts) > maxSize) return error(413, 'size-exceeded', `message larger than ${maxSize} bytes`);

    const now = this.deps.now();
    const headers: MmsHeaders = {
      from,
      to,
      cc,
      bcc,
      date: new Date(now),
      contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} },
      deliveryReport: input.deliveryReport,
      readReport: input.readReport,
    };
    if (input.subject !== undefined) headers.subject = { text: input.subject, charset: 'utf-8' };
    if (input.messageClass) headers.messageClass = input.messageClass;
    if (input.priority) headers.priority = input.priority;
    const expiry = resolveDate(input.expiry, now);
    const deliveryTime = resolveDate(input.deliveryTime, now);
    if (expiry === 'invalid' || deliveryTime === 'invalid') return error(400, 'validation-error', 'expiry and deliveryTime take an ISO 8601 date-time or duration');
    if (expiry) headers.expiry = expiry;
    if (deliveryTime && deliveryTime.getTime() > now) headers.deliveryTime = deliveryTime;

    const result = await mmsc.submit({
      message: { headers, parts },
      origin: { interface: 'mm7', peer: account.id, attributes: { vaspId: account.id, channel: 'api' } },
    });
    const recipients = [
      ...result.recipients.map((r) =>
        r.status === 'accepted' ? { address: r.address.value, status: r.status } : { address: r.address.value, status: r.status, code: r.reason.code, reason: r.reason.message },
      ),
      ...refused,
    ];
    if (result.status === 'deferred') return { status: 503, headers: { 'retry-after': retryAfterSeconds(result.retryAfterMs) }, body: { error: { code: result.reason.code, message: result.reason.message }, recipients } };
    if (result.status === 'rejected') {
      return { status: HTTP_FOR_CODE(statusForReason(result.reason.code)), body: { error: { code: result.reason.code, message: result.reason.message }, recipients } };
    }
    const partial = recipients.some((r) => r.status === 'rejected');
    return { status: 202, body: { messageId: result.messageId, status: partial ? 'partial' : 'accepted', recipients } };
  }

  private async owned(account: VaspAccount, id: string): Promise<ApiResponse | undefined> {
    const message = await this.deps.mmsc.getMessage(id);
    if (!message || message.origin.attributes?.vaspId !== account.id) return error(404, 'message-not-found', `no message ${id} from this account`);
    return undefined;
  }

  private async status(account: VaspAccount, id: string): Promise<ApiResponse> {
    const refusal = await this.owned(account, id);
    if (refusal) return refusal;
    const recipients = await this.deps.mmsc.getRecipients(id);
    return {
      status: 200,
      body: {
        messageId: id,
        recipients: recipients.map((r) => {
          // The last move, not an event noted since (a CDR written, a report sent).
          const last = r.history.findLast((h) => !h.event);
          return { address: r.address.value, state: r.state, at: last ? new Date(last.at).toISOString() : undefined, ...(last?.reason ? { reason: last.reason } : {}) };
        }),
      },
    };
  }

  private async cancel(account: VaspAccount, id: string): Promise<ApiResponse> {
    const refusal = await this.owned(account, id);
    if (refusal) return refusal;
    try {
      const outcome = await this.deps.mmsc.cancel(id, { by: this.deps.name, reason: `cancelled by ${account.id} through the API` });
      if (outcome.cancelled === 0) return error(409, 'not-possible', 'the message is no longer pending', { ...outcome });
      return { status: 200, body: { messageId: id, ...outcome } };
    } catch (e) {
      if (e instanceof MessageChangeError && e.code === 'not-found') return error(404, 'message-not-found', e.message);
      throw e;
    }
  }
}

