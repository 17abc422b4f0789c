import {
  MessageChangeError,
  ThreadStoppedError,
  type Address,
  type IngressDeps,
  type MmsHeaders,
  type PresentedCertificate,
  type MmsMessage,
  type Origin,
  type ReplaceChanges,
  type SubmitInput,
} from '@openmmsc/core';
import { Accounts, authenticate, type VaspAccount } from './accounts.js';
import { dialectOf, fault, generic, retryAfterSeconds, type Answer } from './answers.js';
import { Mm7DecodeError, type EnvelopeInput, type CancelReq, type DetailItem, type ExtendedCancelReq, type ExtendedReplaceReq, type Mm7Address, type ReplaceReq, type SubmitReq, LATEST_RELEASE, RELEASES, type Release, salvageHints, type RequestHints, statusText, type DecodedMm7, type DecodeWarning, writeEnvelope, partsFromContent, resolveDate } from '@openmmsc/mm7';
import { DecodingThreadLost } from './decoding/mm7-decoder.js';
import { statusForReason } from './reasons.js';
import { extraHeaders, fromMm7Address, partsSize, toMessageClass, toPriority } from './mapping.js';
import type { Mm7Metrics } from './metrics.js';
import type { Mm7Options } from './options.js';

export interface HttpRequestLike {
  contentType: string | undefined;
  body: Buffer;
  authorization: string | undefined;
  ip: string;
  /** The TLS client certificate, when the request came over HTTPS with one. */
  certificate?: PresentedCertificate | undefined;
}

export interface HttpResponseLike {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Mm7ServiceDeps extends IngressDeps<Mm7Options, Mm7Metrics> {
  accounts: Accounts;
  /**
   * Reads a request body (see Mm7Decoder, which may take it to a thread: the body is not read
   * again here once handed over). Throws Mm7DecodeError for a request that cannot be read.
   */
  decode(contentType: string | undefined, body: Buffer): Promise<DecodedMm7>;
}

/** A TransactionID the answer's release can carry (REL-5-MM7-1-0/1-1 want an NMTOKEN). */
function usable(transactionId: string | undefined, release: Release): string | undefined {
  if (!transactionId) return undefined;
  return release.nmtokens && !/[A-Za-z0-9._:-]/.test(transactionId) ? undefined : transactionId;
}

/** The MM7 server side: VASP → MMSC requests in, SOAP answers out. Framework-free. */
export class Mm7Service {
  constructor(private readonly deps: Mm7ServiceDeps) {}

  private render(answer: Answer, release: Release, account: VaspAccount | undefined, transactionId: string | undefined, version?: string): HttpResponseLike {
    if (answer.body.type === 'Fault') this.deps.metrics.faults.inc({ code: String(answer.body.fault.detail?.status.code ?? 0) });
    // With nothing to echo, a TransactionID of our own: the header is mandatory in every MM7 message.
    const input: EnvelopeInput = { release, body: answer.body, dialect: dialectOf(account), transactionId: usable(transactionId, release) ?? `mmsc-${Date.now().toString(36)}` };
    if (version) input.version = version;
    return { status: answer.http, headers: { 'content-type': 'text/xml; charset="utf-8"', ...answer.headers }, body: writeEnvelope(input) };
  }

  /**
   * A fault for a request that never reached decoding (too large, cut short); `received` is what
   * arrived of its body, scanned for the release and TransactionID to answer with.
   */
  refuse(code: number, text: string, http: number, received?: Buffer): HttpResponseLike {
    const hints = received ? salvageHints(received) : {};
    this.deps.log.info({ code, reason: text, tx: hints.transactionId }, 'MM7 request refused before decoding');
    return this.render(fault(code, text, http), hints.release ?? RELEASES[LATEST_RELEASE], undefined, hints.transactionId);
  }

  private noteWarnings(warnings: readonly DecodeWarning[] | undefined, vasp: string, tx: string | undefined): void {
    if (!warnings?.length) return;
    for (const w of warnings) this.deps.metrics.decodeWarnings.inc({ kind: w.kind });
    this.deps.log.info({ vasp, tx, warnings: warnings.map((w) => `${w.kind}: ${w.message}`) }, 'MM7 request decoded leniently');
  }

  /** Answers one HTTP request to the MM7 endpoint; never throws. */
  async handle(req: HttpRequestLike): Promise<HttpResponseLike> {
    // Faults raised before the envelope is read still answer in its release and name its transaction.
    let salvaged: RequestHints | undefined;
    const hints = () => (salvaged ??= salvageHints(req.body));
    const early = (a: Answer, account?: VaspAccount, found: { transactionId?: string | undefined; release?: Release | undefined; version?: string | undefined } = {}) =>
      this.render(a, found.release ?? hints().release ?? RELEASES[LATEST_RELEASE], account, found.transactionId ?? hints().transactionId, found.version);
    const auth = authenticate(this.deps.accounts, req.authorization, req.ip, req.certificate);
    if (!auth.ok) {
      this.deps.log.warn({ ip: req.ip, reason: auth.reason, vasp: auth.account?.id, certificate: req.certificate?.subject, tx: hints().transactionId }, 'MM7 request refused');
      const a =
        auth.reason === 'address-not-allowed'
          ? fault(4001, 'this VASP may not connect from this address', 403)
          : auth.reason === 'certificate-required'
            ? fault(4001, 'this VASP must present its own TLS client certificate', 403)
            : fault(4001, 'valid HTTP Basic credentials are required', 401);
      if (auth.reason === 'no-credentials' || auth.reason === 'bad-credentials') a.headers = { 'www-authenticate': 'Basic realm="MM7", charset="UTF-8"' };
      return early(a);
    }
    const account = auth.account;
    const wait = account.rate.take();
    if (wait > 0) {
      const a = fault(4006, `throughput limit of ${account.options.throughput}/s reached; try again later`, 503);
      a.headers = { 'retry-after': String(Math.max(1, Math.ceil(wait / 1000))) };
      return early(a, account);
    }
    let decoded: DecodedMm7;
    try {
      decoded = await this.deps.decode(req.contentType, req.body);
    } catch (error) {
      if (error instanceof Mm7DecodeError) {
        const tx = error.transactionId ?? hints().transactionId;
        this.noteWarnings(error.warnings, account.id, tx);
        this.deps.log.info({ vasp: account.id, tx, code: error.status, err: error.message }, 'MM7 request could not be read');
        const a = fault(error.status, error.message);
        if (error.faultcode === 'VersionMismatch' && a.body.type === 'Fault') a.body.fault.faultcode = 'VersionMismatch';
        return early(a, account, error);
      }
      if (error instanceof ThreadStoppedError) {
        // The request was not read, let alone acted on: the VASP may send it again. Its body may
        // have gone with the thread: the decoder kept what the fault names.
        const found = error instanceof DecodingThreadLost ? error.hints : hints();
        this.deps.log.error({ err: error, vasp: account.id, tx: found.transactionId }, 'MM7 request lost its decoding thread');
        return early(fault(3000, 'the request could not be decoded here; try again'), account, found);
      }
      this.deps.log.error({ err: error, vasp: account.id, tx: hints().transactionId }, 'MM7 request decoding failed unexpectedly');
      return early(fault(2007, 'the request could not be read'), account);
    }
    const env = decoded.envelope;
    const release = env.release;
    const tx = env.transactionId;
    this.noteWarnings(decoded.warnings, account.id, tx);
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
    const { mmsc, options } = this.deps;
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
    const input: SubmitInput = { message, origin };
    // The kernel tells a retransmission (same VASP, TransactionID and content: the first answer
    // again) from a TransactionID reused for another message (a new message, never dropped).
    if (options.dedupeWindow > 0 && tx) input.retransmission = { key: `${account.id}:${tx}`, windowMs: options.dedupeWindow };
    const result = await mmsc.submit(input);
    if (result.retransmission) this.deps.log.info({ vasp: account.id, tx, messageId: result.messageId }, 'SubmitReq retransmitted: answered with the first MessageID');
    else if (result.reusedKey) this.deps.log.info({ vasp: account.id, tx, messageId: result.messageId }, 'TransactionID reused for a different message: accepted as a new one');

    const details: DetailItem[] = [...refused];
    for (const r of result.recipients) {
      if (r.status === 'rejected') {
        const code = statusForReason(r.reason.code);
        details.push({ address: r.address.value, code, text: r.reason.message });
      }
    }
    if (result.status === 'deferred') {
      const a = fault(4006, result.reason.message, 503, details);
      a.headers = { 'retry-after': retryAfterSeconds(result.retryAfterMs) };
      return a;
    }
    if (result.status === 'rejected') return fault(statusForReason(result.reason.code), result.reason.message, 500, details);
    const code = details.length ? 1100 : 1000;
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
