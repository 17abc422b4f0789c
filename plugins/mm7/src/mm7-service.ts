import {
  MessageChangeError,
  type Address,
  type KeyValueStore,
  type MmscRuntime,
  type MmsHeaders,
  type MmsMessage,
  type Origin,
  type ReplaceChanges,
} from '@openmmsc/core';
import type { Logger } from 'pino';
import { Accounts, authenticate, type VaspAccount } from './accounts.js';
import { Mm7DecodeError } from './codec/decode.js';
import { DEFAULT_DIALECT, type Dialect, type EnvelopeInput } from './codec/encode.js';
import type { MimeLimits } from './codec/mime.js';
import type { CancelReq, DetailItem, ExtendedCancelReq, ExtendedReplaceReq, Mm7Body, Mm7Address, ReplaceReq, SubmitReq } from './codec/model.js';
import { LATEST_RELEASE, RELEASES, releaseOfNamespace, type Release } from './codec/releases.js';
import { isSuccess, statusForReason, statusText } from './codec/status.js';
import { decodeMm7, type DecodedMm7, type DecodeLimits } from './codec/transport.js';
import { writeEnvelope } from './codec/encode.js';
import type { XmlLimits } from './codec/xml.js';
import { extraHeaders, fromMm7Address, partsFromContent, partsSize, resolveDate, toMessageClass, toPriority } from './mapping.js';
import type { Mm7Options } from './options.js';

export interface HttpRequestLike {
  contentType: string | undefined;
  body: Buffer;
  authorization: string | undefined;
  ip: string;
}

export interface HttpResponseLike {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface Answer {
  http: number;
  body: Mm7Body | { type: 'Fault'; fault: { faultcode: string; faultstring: string; detail?: { type: 'RSErrorRsp'; status: { code: number; text: string; details?: DetailItem[] } } } };
  headers?: Record<string, string>;
}

const SNIFF = /23\.140\/schema\/(REL-[56]-MM7-1-[0-4])/;

function dialectOf(account: VaspAccount | undefined): Dialect {
  if (!account) return DEFAULT_DIALECT;
  const d = account.options.dialect;
  return { envelopePrefix: d.envelopePrefix, mm7Prefix: d.mm7Prefix, xmlDeclaration: d.xmlDeclaration, mustUnderstand: d.mustUnderstand };
}

function fault(code: number, text: string, http = 500, details?: DetailItem[]): Answer {
  const status = details?.length ? { code, text, details } : { code, text };
  return {
    http,
    body: { type: 'Fault', fault: { faultcode: code >= 3000 && code < 4000 ? 'Server' : 'Client', faultstring: `${statusText(code)}: ${text}`, detail: { type: 'RSErrorRsp', status } } },
  };
}

export interface Mm7ServiceDeps {
  name: string;
  mmsc: MmscRuntime;
  kv: KeyValueStore;
  log: Logger;
  now: () => number;
  accounts: Accounts;
  options: Mm7Options;
  /** Kernel limits, the defaults of per-VASP limits. */
  kernelLimits: { maxMessageSize: number; maxRecipients: number };
}

/** The MM7 server side: VASP → MMSC requests in, SOAP answers out. Framework-free. */
export class Mm7Service {
  private readonly limits: DecodeLimits;
  constructor(private readonly deps: Mm7ServiceDeps) {
    const l = deps.options.limits;
    const xml: XmlLimits = { maxBytes: l.maxXmlSize, maxDepth: l.maxXmlDepth, maxElements: 50_000 };
    const mime: MimeLimits = { maxParts: l.maxMimeParts, maxDepth: l.maxMimeDepth, maxHeaderBytes: 16 * 1024 };
    this.limits = { xml, mime, accept: new Set(['SubmitReq', 'CancelReq', 'ReplaceReq', 'extendedCancelReq', 'extendedReplaceReq', 'Fault']) };
  }

  private render(answer: Answer, release: Release, account: VaspAccount | undefined, transactionId: string | undefined, version?: string): HttpResponseLike {
    const input: EnvelopeInput = { release, body: answer.body, dialect: dialectOf(account), transactionId: transactionId ?? `mmsc-${Date.now().toString(36)}` };
    if (version) input.version = version;
    return { status: answer.http, headers: { 'content-type': 'text/xml; charset="utf-8"', ...answer.headers }, body: writeEnvelope(input) };
  }

  /** A fault answer for a request that never reached decoding (too large, unreadable). */
  refuse(code: number, text: string, http: number): HttpResponseLike {
    return this.render(fault(code, text, http), RELEASES[LATEST_RELEASE], undefined, undefined);
  }

  /** Answers one HTTP request to the MM7 endpoint; never throws. */
  async handle(req: HttpRequestLike): Promise<HttpResponseLike> {
    const sniffed = SNIFF.exec(req.body.toString('latin1', 0, Math.min(req.body.length, 64 * 1024)));
    let release = (sniffed && releaseOfNamespace(sniffed[0])) || RELEASES[LATEST_RELEASE];
    const auth = authenticate(this.deps.accounts, req.authorization, req.ip);
    if (!auth.ok) {
      this.deps.log.warn({ ip: req.ip, reason: auth.reason, vasp: auth.account?.id }, 'MM7 request refused');
      const a = fault(4001, auth.reason === 'address-not-allowed' ? 'this VASP may not connect from this address' : 'valid HTTP Basic credentials are required', auth.reason === 'address-not-allowed' ? 403 : 401);
      if (auth.reason !== 'address-not-allowed') a.headers = { 'www-authenticate': 'Basic realm="MM7", charset="UTF-8"' };
      return this.render(a, release, undefined, undefined);
    }
    const account = auth.account;
    const wait = account.bucket.take();
    if (wait > 0) {
      const a = fault(4006, `throughput limit of ${account.options.throughput}/s reached; try again later`, 503);
      a.headers = { 'retry-after': String(Math.max(1, Math.ceil(wait / 1000))) };
      return this.render(a, release, account, undefined);
    }
    let decoded: DecodedMm7;
    try {
      decoded = decodeMm7(req.contentType, req.body, this.limits);
    } catch (error) {
      if (error instanceof Mm7DecodeError) {
        this.deps.log.info({ vasp: account.id, err: error.message }, 'MM7 request could not be read');
        const a = fault(error.status, error.message);
        if (error.faultcode === 'VersionMismatch' && a.body.type === 'Fault') a.body.fault.faultcode = 'VersionMismatch';
        return this.render(a, release, account, undefined);
      }
      this.deps.log.error({ err: error, vasp: account.id }, 'MM7 request decoding failed unexpectedly');
      return this.render(fault(2007, 'the request could not be read'), release, account, undefined);
    }
    const env = decoded.envelope;
    release = env.release;
    const tx = env.transactionId;
    const reply = (a: Answer) => this.render(a, release, account, tx, env.version);
    try {
      const body = env.body;
      if (!body) return reply(fault(4003, `a ${env.bodyType} is not a request`));
      if ('senderIdentification' in body) {
        const s = body.senderIdentification;
        if (s.vaspId !== undefined && s.vaspId !== account.id) return reply(fault(4001, `VASPID ${s.vaspId} does not match the authenticated account`));
        if (!account.allowsVasId(s.vasId)) return reply(fault(4001, `VASID ${s.vasId ?? '(none)'} is not allowed for this VASP`));
      }
      switch (body.type) {
        case 'SubmitReq':
          return reply(await this.submit(account, body, decoded, env.release, env.version, tx));
        case 'CancelReq':
        case 'extendedCancelReq':
          return reply(await this.cancel(account, body));
        case 'ReplaceReq':
        case 'extendedReplaceReq':
          return reply(await this.replace(account, body, decoded));
        default:
          return reply(fault(4003, `${body.type} is sent by the MMSC, not to it`));
      }
    } catch (error) {
      this.deps.log.error({ err: error, vasp: account.id, tx }, 'MM7 request failed');
      return reply(fault(3000, 'temporary failure; try again'));
    }
  }

  // --- SubmitReq ---------------------------------------------------------------------------

  private async submit(account: VaspAccount, req: SubmitReq, decoded: DecodedMm7, release: Release, version: string | undefined, tx: string | undefined): Promise<Answer> {
    const { mmsc, kv, options } = this.deps;
    const dedupe = options.dedupeWindow > 0 && tx ? `tx:${account.id}:${tx}` : undefined;
    if (dedupe) {
      const previous = await kv.get<{ messageId: string; code: number; details?: DetailItem[] }>(dedupe);
      if (previous) {
        return { http: 200, body: { type: 'SubmitRsp', messageId: previous.messageId, status: { code: previous.code, text: statusText(previous.code), ...(previous.details ? { details: previous.details } : {}) } } };
      }
    }
    const listed = [...req.recipients.to, ...req.recipients.cc, ...req.recipients.bcc];
    const maxRecipients = account.options.maxRecipients ?? this.deps.kernelLimits.maxRecipients;
    if (listed.length > maxRecipients) return fault(2001, `${listed.length} recipients; this VASP may send to at most ${maxRecipients} per request`);

    const refused: DetailItem[] = [];
    const convert = (list: Mm7Address[]) => {
      const out: Address[] = [];
      for (const a of list) {
        try {
          out.push(fromMm7Address(a, (raw) => mmsc.parseAddress(raw)));
        } catch (error) {
          refused.push({ address: a.value, code: 2002, text: (error as Error).message });
        }
      }
      return out;
    };
    const to = convert(req.recipients.to);
    const cc = convert(req.recipients.cc);
    const bcc = convert(req.recipients.bcc);
    if (to.length + cc.length + bcc.length === 0) return fault(2002, 'no valid recipient address', 500, refused);

    let from: Address | undefined = account.defaultSender;
    if (req.senderIdentification.senderAddress) {
      try {
        from = fromMm7Address(req.senderIdentification.senderAddress, (raw) => mmsc.parseAddress(raw));
      } catch (error) {
        return fault(2002, `sender address: ${(error as Error).message}`);
      }
      if (!account.senders.has(`${from.type}:${from.value}`)) return fault(2001, `sender address ${from.value} is not allowed for this VASP`);
    }
    if (!from) return fault(2002, 'no SenderAddress, and no default sender is configured for this VASP');

    const { parts, contentType } = partsFromContent(decoded.content);
    const maxSize = account.options.maxMessageSize ?? this.deps.kernelLimits.maxMessageSize;
    const size = partsSize(parts);
    if (size > maxSize) return fault(2004, `content is ${size} bytes; this VASP may send at most ${maxSize}`);

    const now = this.deps.now();
    const headers: MmsHeaders = { from, to, cc, bcc, contentType, date: new Date(now) };
    if (req.subject !== undefined) headers.subject = { text: req.subject, charset: 'utf-8' };
    const mc = toMessageClass(req.messageClass);
    if (mc) headers.messageClass = mc;
    const pr = toPriority(req.priority);
    if (pr) headers.priority = pr;
    if (req.deliveryReport !== undefined) headers.deliveryReport = req.deliveryReport;
    if (req.readReply !== undefined) headers.readReport = req.readReply;
    const expiry = resolveDate(req.expiryDate, now);
    if (expiry === 'invalid') return fault(4004, `ExpiryDate ${JSON.stringify(req.expiryDate)} is neither a dateTime nor a duration`);
    if (expiry) headers.expiry = expiry;
    const earliest = resolveDate(req.earliestDeliveryTime, now);
    if (earliest === 'invalid') return fault(4004, `EarliestDeliveryTime ${JSON.stringify(req.earliestDeliveryTime)} is neither a dateTime nor a duration`);
    if (earliest && earliest.getTime() > now) headers.deliveryTime = earliest;
    const extra = extraHeaders(req, account.id);
    if (Object.keys(extra).length) headers.extra = extra;

    const attributes: Record<string, string | number | boolean> = { vaspId: account.id, release: release.name, channel: 'mm7' };
    if (version) attributes.version = version;
    if (tx) attributes.transactionId = tx;
    if (req.senderIdentification.vasId) attributes.vasId = req.senderIdentification.vasId;
    if (req.linkedId) attributes.linkedId = req.linkedId;
    if (req.serviceCode) attributes.serviceCode = req.serviceCode;
    if (req.chargedParty) attributes.chargedParty = req.chargedParty;
    const origin: Origin = { interface: 'mm7', peer: account.id, attributes };
    const message: MmsMessage = { headers, parts };
    const result = await mmsc.submit({ message, origin });

    const details: DetailItem[] = [...refused];
    for (const r of result.recipients) {
      if (r.status === 'rejected') {
        const code = statusForReason(r.reason.code);
        details.push({ address: r.address.value, code, text: r.reason.message });
      }
    }
    if (result.status === 'deferred') {
      const a = fault(4006, result.reason.message, 503, details);
      a.headers = { 'retry-after': '5' };
      return a;
    }
    if (result.status === 'rejected') return fault(statusForReason(result.reason.code), result.reason.message, 500, details);
    const code = details.length ? 1100 : 1000;
    if (dedupe) await kv.set(dedupe, details.length ? { messageId: result.messageId, code, details } : { messageId: result.messageId, code }, options.dedupeWindow);
    const status = details.length ? { code, text: statusText(code), details } : { code, text: statusText(code) };
    return { http: 200, body: { type: 'SubmitRsp', messageId: result.messageId, status } };
  }

  // --- CancelReq / ReplaceReq --------------------------------------------------------------

  /** The message, if it exists and this VASP submitted it; else the answer to give. */
  private async owned(account: VaspAccount, messageId: string, rsp: 'CancelRsp' | 'ReplaceRsp' | 'extendedCancelRsp' | 'extendedReplaceRsp'): Promise<Answer | undefined> {
    const message = await this.deps.mmsc.getMessage(messageId);
    if (!message) return generic(rsp, 2005, `message ${messageId} not found`, messageId);
    if (message.origin.interface !== 'mm7' || message.origin.attributes?.vaspId !== account.id) {
      return generic(rsp, 2001, 'only the VASP that submitted a message may cancel or replace it', messageId);
    }
    return undefined;
  }

  private async cancel(account: VaspAccount, req: CancelReq | ExtendedCancelReq): Promise<Answer> {
    const rsp = req.type === 'CancelReq' ? 'CancelRsp' : 'extendedCancelRsp';
    const messageId = req.type === 'CancelReq' ? req.messageId : req.cancelId;
    const refusal = await this.owned(account, messageId, rsp);
    if (refusal) return refusal;
    try {
      const outcome = await this.deps.mmsc.cancel(messageId, { by: this.deps.name, reason: `cancelled by VASP ${account.id}` });
      if (outcome.cancelled === 0) return generic(rsp, 3001, 'the message was already delivered or is no longer pending', messageId);
      if (outcome.alreadyFinal > 0) return generic(rsp, 1100, `cancelled for ${outcome.cancelled} recipients; ${outcome.alreadyFinal} already final`, messageId);
      return generic(rsp, 1000, 'Success', messageId);
    } catch (error) {
      if (error instanceof MessageChangeError && error.code === 'not-found') return generic(rsp, 2005, error.message, messageId);
      throw error;
    }
  }

  private async replace(account: VaspAccount, req: ReplaceReq | ExtendedReplaceReq, decoded: DecodedMm7): Promise<Answer> {
    const rsp = req.type === 'ReplaceReq' ? 'ReplaceRsp' : 'extendedReplaceRsp';
    const messageId = req.type === 'ReplaceReq' ? req.messageId : req.replaceId;
    if (!messageId) return generic(rsp, 4004, 'ReplaceID is required', '');
    if (req.type === 'extendedReplaceReq' && req.vaspId !== undefined && req.vaspId !== account.id) {
      return generic(rsp, 4001, `VASPID ${req.vaspId} does not match the authenticated account`, messageId);
    }
    const refusal = await this.owned(account, messageId, rsp);
    if (refusal) return refusal;
    const now = this.deps.now();
    const changes: ReplaceChanges = {};
    const headers: NonNullable<ReplaceChanges['headers']> = {};
    if (decoded.content) {
      const { parts, contentType } = partsFromContent(decoded.content);
      const maxSize = account.options.maxMessageSize ?? this.deps.kernelLimits.maxMessageSize;
      if (partsSize(parts) > maxSize) return generic(rsp, 2004, `content larger than ${maxSize} bytes`, messageId);
      changes.parts = parts;
      headers.contentType = contentType;
    }
    if (req.readReply !== undefined) headers.readReport = req.readReply;
    if (req.type === 'extendedReplaceReq' && req.deliveryReport !== undefined) headers.deliveryReport = req.deliveryReport;
    const earliest = resolveDate(req.earliestDeliveryTime, now);
    if (earliest === 'invalid') return generic(rsp, 4004, 'EarliestDeliveryTime is neither a dateTime nor a duration', messageId);
    if (earliest) headers.deliveryTime = earliest;
    if (req.type === 'extendedReplaceReq') {
      const expiry = resolveDate(req.expiryDate, now);
      if (expiry === 'invalid') return generic(rsp, 4004, 'ExpiryDate is neither a dateTime nor a duration', messageId);
      if (expiry) headers.expiry = expiry;
    }
    if (req.type === 'ReplaceReq' && req.distributionIndicator !== undefined) {
      const current = await this.deps.mmsc.getMessage(messageId);
      headers.extra = { ...(current?.headers.extra ?? {}), 'X-Mms-Distribution-Indicator': req.distributionIndicator ? 'Yes' : 'No' };
    }
    if (Object.keys(headers).length) changes.headers = headers;
    try {
      await this.deps.mmsc.replace(messageId, changes);
      return generic(rsp, 1000, 'Success', messageId);
    } catch (error) {
      if (error instanceof MessageChangeError) {
        if (error.code === 'not-found') return generic(rsp, 2005, error.message, messageId);
        return generic(rsp, 3001, error.code === 'already-delivered' ? 'the message was already retrieved by a recipient' : 'the message is no longer pending', messageId);
      }
      throw error;
    }
  }
}

function generic(type: 'CancelRsp' | 'ReplaceRsp' | 'extendedCancelRsp' | 'extendedReplaceRsp', code: number, text: string, messageId: string): Answer {
  const status = { code, text: isSuccess(code) && text === 'Success' ? statusText(code) : text };
  if (type === 'extendedReplaceRsp') return { http: 200, body: { type, messageId: messageId || 'none', status } };
  return { http: 200, body: { type, status } };
}
