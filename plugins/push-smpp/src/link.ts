import { EventEmitter } from 'node:events';
import type { PluginContext } from '@openmmsc/core';
import smpp, { type SmppPdu, type SmppSession } from 'smpp';
import { RateLimiter, WaitCancelled, Window } from './limits.js';
import type { LinkOptions } from './options.js';
import { describeStatus } from './status.js';

type Logger = PluginContext<unknown>['log'];

export type LinkState = 'idle' | 'connecting' | 'binding' | 'bound' | 'closed';

export interface SubmitParams {
  destinationAddr: string;
  esmClass: number;
  dataCoding: number;
  registeredDelivery: number;
  shortMessage: Buffer;
}

export type SubmitOutcome =
  | { kind: 'ok'; messageId: string }
  | { kind: 'error'; status: number }
  | { kind: 'timeout' }
  | { kind: 'down'; reason: string }
  | { kind: 'aborted' };

/** A deliver_sm as the link hands it on (already answered with deliver_sm_resp). */
export interface IncomingSms {
  sourceAddr: string;
  destinationAddr: string;
  esmClass: number;
  dataCoding: number;
  /** short_message (or message_payload) without the UDH. */
  text: string;
  receiptedMessageId?: string;
  messageState?: number;
}

interface Pending {
  settle(pdu: SmppPdu | undefined): void;
}

export interface LinkEvents {
  state: [LinkState];
  deliver: [IncomingSms];
}

/**
 * One SMPP connection to an SMSC: binds, keeps the link alive with enquire_link, reconnects with
 * exponential back-off, and submits within a window of unacknowledged PDUs and a rate limit.
 */
export class SmscLink extends EventEmitter<LinkEvents> {
  readonly name: string;
  private _state: LinkState = 'idle';
  private session: SmppSession | undefined;
  private pending = new Map<number, Pending>();
  private readonly window: Window;
  private readonly rate: RateLimiter;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private enquireTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopping = false;
  private reference: number;
  /** Why the link is not bound, for `ready` and logs. */
  lastError: string | undefined;
  /** When the next reconnect is due (epoch ms), while waiting for it. */
  nextAttemptAt: number | undefined;

  constructor(
    readonly options: LinkOptions,
    private readonly log: Logger,
    private readonly onStateChange?: (link: SmscLink, state: LinkState) => void,
  ) {
    super();
    this.name = options.name ?? `${options.host}:${options.port}`;
    this.window = new Window(options.window);
    this.rate = new RateLimiter(options.ratePerSecond, Math.max(1, Math.ceil(options.ratePerSecond / 10)));
    this.reference = Math.floor(Math.random() * 0x10000);
    this.setMaxListeners(0); // every push waiting for a bind listens for state changes
  }

  get state(): LinkState {
    return this._state;
  }

  get bound(): boolean {
    return this._state === 'bound';
  }

  /** Unacknowledged submit_sm now, and the most seen at once. */
  get inFlight(): { now: number; peak: number } {
    return { now: this.window.inFlight, peak: this.window.peak };
  }

  /** Next concatenation reference of this link: 0..255, or 0..65535 for 16-bit references. */
  nextReference(bits16: boolean): number {
    this.reference = (this.reference + 1) & 0xffff;
    return bits16 ? this.reference : this.reference & 0xff;
  }

  /** Starts connecting (in the background); the link keeps itself up until `stop`. */
  start(): void {
    if (this._state !== 'idle' || this.stopping) return;
    this.connect();
  }

  /** Resolves true once bound, false after `ms` or on abort. */
  waitBound(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (this.bound) return Promise.resolve(true);
    if (ms <= 0 || this.stopping) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const done = (v: boolean) => {
        clearTimeout(timer);
        this.off('state', onState);
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      };
      const onState = (s: LinkState) => {
        if (s === 'bound') done(true);
        else if (s === 'closed') done(false);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), ms);
      this.on('state', onState);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Sends one submit_sm and waits for its response (within the window and the rate limit). */
  async submit(params: SubmitParams, signal?: AbortSignal): Promise<SubmitOutcome> {
    if (!this.bound) return { kind: 'down', reason: `link ${this.name} is not bound` };
    let release: (() => void) | undefined;
    try {
      release = await this.window.acquire(signal);
      await this.rate.take(signal);
    } catch (error) {
      release?.();
      if (error instanceof WaitCancelled) return error.why === 'aborted' ? { kind: 'aborted' } : { kind: 'down', reason: error.message };
      throw error;
    }
    try {
      const session = this.session;
      if (!this.bound || !session) return { kind: 'down', reason: `link ${this.name} went down` };
      const o = this.options;
      const pdu = new smpp.PDU('submit_sm', {
        service_type: '',
        source_addr_ton: o.sourceTon,
        source_addr_npi: o.sourceNpi,
        source_addr: o.sourceAddr,
        dest_addr_ton: o.destTon,
        dest_addr_npi: o.destNpi,
        destination_addr: params.destinationAddr,
        esm_class: params.esmClass,
        protocol_id: 0,
        priority_flag: 0,
        registered_delivery: params.registeredDelivery,
        data_coding: params.dataCoding,
        short_message: params.shortMessage,
      });
      const resp = await this.request(session, pdu, o.responseTimeoutMs, signal);
      if (resp === 'down') return { kind: 'down', reason: `link ${this.name} dropped before the submit_sm_resp` };
      if (resp === 'timeout') return { kind: 'timeout' };
      if (resp === 'aborted') return { kind: 'aborted' };
      if (resp.command_status !== 0) return { kind: 'error', status: resp.command_status };
      return { kind: 'ok', messageId: typeof resp.message_id === 'string' ? resp.message_id : '' };
    } finally {
      release();
    }
  }

  /** Pauses sending on this link (after a throttling answer). */
  pause(ms: number): void {
    this.rate.pauseUntil(Date.now() + ms);
  }

  /** Unbinds (waiting briefly for unbind_resp), closes, and stops reconnecting. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.connectTimer);
    clearInterval(this.enquireTimer);
    const session = this.session;
    if (session && this._state === 'bound') {
      await this.request(session, new smpp.PDU('unbind', {}), Math.min(1000, this.options.responseTimeoutMs));
    }
    if (session) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          session.destroy();
          resolve();
        }, 500);
        session.socket.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        if (session.socket.destroyed) {
          clearTimeout(t);
          resolve();
        } else session.close();
      });
    }
    this.session = undefined;
    this.failPending();
    this.window.cancelWaiters(`link ${this.name} closed`);
    this.setState('closed');
  }

  private setState(s: LinkState): void {
    if (this._state === s) return;
    this._state = s;
    this.onStateChange?.(this, s);
    this.emit('state', s);
  }

  private connect(): void {
    if (this.stopping) return;
    this.nextAttemptAt = undefined;
    this.setState('connecting');
    const { host, port } = this.options;
    const session = smpp.connect({ host, port });
    this.session = session;
    session.socket.setNoDelay(true);
    this.connectTimer = setTimeout(() => {
      this.lastError = `no connection to ${host}:${port} within ${this.options.responseTimeoutMs} ms`;
      session.destroy();
    }, this.options.responseTimeoutMs);
    session.on('connect', () => {
      clearTimeout(this.connectTimer);
      if (this.session === session) void this.bind(session);
    });
    session.on('error', (error: Error) => {
      if (this.session !== session) return;
      this.lastError = error.message;
      this.log.debug({ link: this.name, err: error.message }, 'SMPP link error');
      session.destroy();
    });
    session.socket.on('close', () => this.onClosed(session));
    session.on('pdu', (pdu: SmppPdu) => this.onPdu(session, pdu));
  }

  private async bind(session: SmppSession): Promise<void> {
    this.setState('binding');
    const o = this.options;
    const command = o.bindMode === 'transmitter' ? 'bind_transmitter' : 'bind_transceiver';
    const pdu = new smpp.PDU(command, {
      system_id: o.systemId,
      password: o.password,
      system_type: o.systemType,
      interface_version: 0x34,
      addr_ton: 0,
      addr_npi: 0,
      address_range: '',
    });
    const resp = await this.request(session, pdu, o.responseTimeoutMs);
    if (this.session !== session || resp === 'down' || resp === 'aborted') return;
    if (resp === 'timeout') {
      this.lastError = `no ${command}_resp within ${o.responseTimeoutMs} ms`;
      this.log.warn({ link: this.name }, `SMPP link ${this.name}: ${this.lastError}`);
      session.destroy();
      return;
    }
    if (resp.command_status !== 0) {
      this.lastError = `${command} refused: ${describeStatus(resp.command_status)}`;
      this.log.error({ link: this.name, status: resp.command_status }, `SMPP link ${this.name}: ${this.lastError}`);
      session.destroy();
      return;
    }
    this.failures = 0;
    this.lastError = undefined;
    this.log.info({ link: this.name, mode: o.bindMode }, `SMPP link ${this.name} bound as ${o.bindMode}`);
    this.setState('bound');
    clearInterval(this.enquireTimer);
    this.enquireTimer = setInterval(() => void this.enquire(session), o.enquireLinkMs);
    this.enquireTimer.unref();
  }

  private async enquire(session: SmppSession): Promise<void> {
    if (this.session !== session || !this.bound) return;
    const resp = await this.request(session, new smpp.PDU('enquire_link', {}), this.options.responseTimeoutMs);
    if (resp === 'timeout' && this.session === session) {
      this.lastError = `no enquire_link_resp within ${this.options.responseTimeoutMs} ms`;
      this.log.warn({ link: this.name }, `SMPP link ${this.name}: ${this.lastError}; dropping the link`);
      session.destroy();
    }
  }

  /** Sends a request PDU; resolves with its response, or why there is none. */
  private request(session: SmppSession, pdu: SmppPdu, timeoutMs: number, signal?: AbortSignal): Promise<SmppPdu | 'down' | 'timeout' | 'aborted'> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve('aborted');
      if (!session.send(pdu)) return resolve('down');
      const seq = pdu.sequence_number;
      const finish = (v: SmppPdu | 'down' | 'timeout' | 'aborted') => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(seq);
        resolve(v);
      };
      const onAbort = () => finish('aborted');
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(seq, { settle: (p) => finish(p ?? 'down') });
    });
  }

  private onPdu(session: SmppSession, pdu: SmppPdu): void {
    if (this.session !== session) return;
    if (pdu.isResponse()) {
      this.pending.get(pdu.sequence_number)?.settle(pdu);
      return;
    }
    switch (pdu.command) {
      case 'enquire_link':
        session.send(pdu.response());
        return;
      case 'unbind':
        this.log.info({ link: this.name }, `SMPP link ${this.name}: the SMSC unbound`);
        this.lastError = 'unbound by the SMSC';
        session.send(pdu.response(), () => session.close());
        this.setState('connecting'); // no new submits on this session
        return;
      case 'deliver_sm':
        session.send(pdu.response({ message_id: '' }));
        this.emit('deliver', incoming(pdu));
        return;
      default:
        // SMPP 3.4: a command the ESME does not support gets generic_nack ESME_RINVCMDID.
        session.send(pdu.command === 'unknown' ? pdu.response() : pdu.response({ command_status: 0x03 }));
    }
  }

  private onClosed(session: SmppSession): void {
    if (this.session !== session) return;
    this.session = undefined;
    clearTimeout(this.connectTimer);
    clearInterval(this.enquireTimer);
    const wasBound = this._state === 'bound';
    this.failPending();
    this.window.cancelWaiters(`link ${this.name} went down`);
    if (this.stopping) {
      this.setState('closed');
      return;
    }
    this.setState('idle');
    const { baseMs, maxMs } = this.options.reconnect;
    const delay = Math.min(maxMs, baseMs * 2 ** Math.min(this.failures, 30)) * (0.9 + Math.random() * 0.2);
    this.failures++;
    this.nextAttemptAt = Date.now() + delay;
    const msg = `SMPP link ${this.name} ${wasBound ? 'dropped' : 'is down'}${this.lastError ? ` (${this.lastError})` : ''}; reconnecting in ${Math.round(delay)} ms`;
    if (wasBound) this.log.warn({ link: this.name }, msg);
    else this.log.debug({ link: this.name }, msg);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private failPending(): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.settle(undefined);
  }
}

function incoming(pdu: SmppPdu): IncomingSms {
  const sm = pdu.short_message as { message?: unknown } | Buffer | undefined;
  const payload = pdu.message_payload as { message?: unknown } | Buffer | undefined;
  const text = textOf(sm) || textOf(payload);
  const r: IncomingSms = {
    sourceAddr: String(pdu.source_addr ?? ''),
    destinationAddr: String(pdu.destination_addr ?? ''),
    esmClass: Number(pdu.esm_class ?? 0),
    dataCoding: Number(pdu.data_coding ?? 0),
    text,
  };
  if (typeof pdu.receipted_message_id === 'string' && pdu.receipted_message_id) r.receiptedMessageId = pdu.receipted_message_id;
  if (typeof pdu.message_state === 'number') r.messageState = pdu.message_state;
  return r;
}

function textOf(v: { message?: unknown } | Buffer | undefined): string {
  if (v === undefined) return '';
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  const m = v.message;
  if (typeof m === 'string') return m;
  if (Buffer.isBuffer(m)) return m.toString('latin1');
  return '';
}

