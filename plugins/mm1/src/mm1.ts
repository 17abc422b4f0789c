import {
  InvalidTransitionError,
  type DeliveryStatus,
  type PluginContext,
  type ReasonCode,
  type RecipientRecord,
  type RecipientState,
} from '@openmmsc/core';
import { encodePdu, type ForwardConf, type MmsPdu, type SendConf } from '@openmmsc/codec';
import { Counter } from 'prom-client';
import { HandsetDialects, type Dialect } from './dialects.js';
import { PDU_TYPE, type HttpAnswer } from './http-answer.js';
import { IdentityResolver, type Identity } from './identity.js';
import { Mmboxes } from './mmbox.js';
import { Subscribers } from './subscribers.js';
import type { Mm1Options } from './options.js';
import { responseStatusFor, vocabularyFor, type StatusVocabulary } from './status.js';
import { TokenSigner } from './tokens.js';

export const MM1_INTERFACE = 'mm1';

/**
 * What every MM1 flow shares: options, the token signer, who is asking, the answers common to
 * all PDUs, and recipient moves. The flows themselves (submit, forward, retrieve, acknowledge,
 * reports, web view) are functions in their own modules that take this object.
 */
export class Mm1 {
  readonly signer: TokenSigner;
  readonly subscribers: Subscribers;
  readonly dialects: HandsetDialects;
  readonly decodeWarnings: Counter<'type'>;
  readonly mmbox: Mmboxes;
  private readonly identity: IdentityResolver;
  /** Base URL handsets use; known once the server listens. */
  baseUrl: string | undefined;
  /** Set by the plugin's `stop`: new submissions are refused, fetches and acknowledgements still served. */
  draining = false;

  constructor(
    readonly ctx: PluginContext<Mm1Options>,
    secret: string,
  ) {
    const o = ctx.options;
    this.signer = new TokenSigner(secret, o.retrieval.tokenBytes);
    this.identity = new IdentityResolver(o.identity.trustedGateways, o.identity.headers, (raw) => ctx.mmsc.parseAddress(raw));
    this.subscribers = new Subscribers(ctx);
    this.dialects = new HandsetDialects(o.handsets, o.mmsVersion, ctx.kv, () => ctx.clock.now());
    this.mmbox = new Mmboxes(this);
    this.decodeWarnings = new Counter({
      name: 'openmmsc_mm1_decode_warnings_total',
      help: 'Deviations from the MMS encapsulation accepted in PDUs handsets posted, by PDU type',
      labelNames: ['type'],
      registers: [ctx.metrics],
    });
  }

  get o(): Mm1Options {
    return this.ctx.options;
  }

  now(): number {
    return this.ctx.clock.now();
  }

  /** Where a handset fetches a message: under its dialect's base URL, else the plugin's. */
  contentUrl(messageId: string, index: number, dialect?: Dialect): string {
    return `${dialect?.publicUrl ?? this.baseUrl}/m/${this.signer.content(messageId, index)}`;
  }

  /** `http://…/m/<token>` (or a bare token) back to its message and recipient. */
  refFromUrl(url: string | undefined): { messageId: string; index: number } | undefined {
    if (!url) return undefined;
    const m = /(?:^|\/m\/)([^/?#]+)(?:[?#].*)?$/.exec(url);
    return m ? this.signer.openContent(m[1]!) : undefined;
  }

  resolveIdentity(remote: string | undefined, headers: Record<string, string | string[] | undefined>): Identity {
    return this.identity.resolve(remote, headers);
  }

  // --- answers ---------------------------------------------------------------------------

  pduAnswer(pdu: MmsPdu, status = 200, headers?: Record<string, string>): HttpAnswer {
    return { status, contentType: PDU_TYPE, body: encodePdu(pdu, { lenient: true }), ...(headers ? { headers } : {}) };
  }

  /** The X-Mms-MMS-Version to answer a request with: the request's, else the configured one. */
  version(requested: string | undefined): string {
    return requested && /^1\.[0-3]$/.test(requested) ? requested : this.o.mmsVersion;
  }

  vocabulary(requested: string | undefined): StatusVocabulary {
    return vocabularyFor(this.o.responseCodes, requested);
  }

  sendConf(transactionId: string, version: string | undefined, code: ReasonCode, kind: 'reject' | 'defer', text: string): SendConf {
    return {
      messageType: 'm-send-conf',
      transactionId,
      mmsVersion: this.version(version),
      responseStatus: responseStatusFor(code, kind, this.vocabulary(version)),
      responseText: { text },
    };
  }

  refusal<T extends SendConf | ForwardConf>(type: T['messageType'], tid: string, version: string | undefined, code: ReasonCode, kind: 'reject' | 'defer', text: string): T {
    return { ...this.sendConf(tid, version, code, kind, text), messageType: type } as T;
  }

  // --- recipients --------------------------------------------------------------------------

  /**
   * Moves a recipient on, tolerating a move that already happened (handsets repeat themselves).
   * A handset can fetch before the notify job recorded its notification: the recipient then
   * passes through `notified` in the same write.
   */
  async move(
    messageId: string,
    index: number,
    to: RecipientState,
    opts: { reason: string; report?: DeliveryStatus | false },
  ): Promise<RecipientRecord | undefined> {
    const via = to === 'notified' ? undefined : { state: 'notified' as const, reason: 'fetched before the notification was recorded' };
    try {
      return await this.ctx.mmsc.transition(messageId, index, to, { by: this.ctx.name, ...opts, ...(via && { via }) });
    } catch (error) {
      if (!(error instanceof InvalidTransitionError)) throw error;
      return undefined;
    }
  }

  /** One recipient of a message, with the message, or `undefined` when either is gone. */
  async recipientOf(messageId: string, index: number) {
    const message = await this.ctx.mmsc.getMessage(messageId);
    if (!message) return undefined;
    const recipient = await this.ctx.mmsc.getRecipient(messageId, index);
    return recipient ? { message, recipient } : undefined;
  }
}
