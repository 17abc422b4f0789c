/// <reference types="@openmmsc/smpp-types" preserve="true" />
import { EventEmitter } from 'node:events';
import type { PluginContext } from '@openmmsc/core';
import smpp, { type SmppPdu, type SmppSession } from 'smpp';
import { incoming, type IncomingSms } from './incoming.js';
import { RateLimiter, WaitCancelled } from './limits.js';
import type { LinkOptions } from './options.js';
import { LinkPacer } from './pacer.js';
import { PendingRequests, submitSm, type RequestResult, type SubmitParams } from './requests.js';
import { ESME_RMSGQFUL, ESME_RTHROTTLED, describeStatus } from './status.js';

type Logger = PluginContext<unknown>['log'];

export type LinkState = 'idle' | 'connecting' | 'binding' | 'bound' | 'closed';

export type { SubmitParams };

/** `busy`: no room in the link's window (or its throttle pause went on) until the caller's deadline. */
export type SubmitOutcome =
  | { kind: 'ok'; messageId: string }
  | { kind: 'error'; status: number }
  | { kind: 'timeout' }
  | { kind: 'down'; reason: string }
  | { kind: 'busy' }
  | { kind: 'aborted' };

export type { IncomingSms };

/** How a link backs off towards a throttling SMSC (plugin options `throttleRetryMs`, `throttleRetryMaxMs`). */
export interface ThrottleBackoff {
  baseMs: number;
  maxMs: number;
}


export interface LinkEvents {
  state: [LinkState];
  deliver: [IncomingSms];
  /** Whether the link can take submits may have changed (bound, pause over, probe answered, throttle over). */
  change: [];
}

/**
 * One SMPP connection to an SMSC: binds, keeps the link alive with enquire_link, reconnects with
 * exponential back-off, and submits within an AIMD window (see `LinkPacer`) and a rate limit.
 * A submit_sm without an answer within `responseTimeoutMs` takes the link out of rotation at once:
 * the session is dropped (its other submits fail over) and, once bound again, the link is on
 * probation (one submit at a time, and only when it is idle) until the SMSC answers one.
 */
export class SmscLink extends EventEmitter<LinkEvents> {
  readonly name: string;
  private _state: LinkState = 'idle';
  private session: SmppSession | undefined;
  private readonly requests = new PendingRequests();
  readonly pacer: LinkPacer;
  private readonly rate: RateLimiter;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private enquireTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopping = false;
  /** The last drop was a stall (a submit_sm went unanswered): the next bind starts on probation. */
  private stalled = false;
  /** Bound again after a stall: not in rotation until the SMSC answers a submit. */
  probation = false;
  /** submit_sm that went unanswered, each taking the link out of rotation. */
  stalls = 0;
  private probing = false;
  private reference: number;
  /** Why the link is not bound, for `ready` and logs. */
  lastError: string | undefined;
  /** When the next reconnect is due (epoch ms), while waiting for it. */
  nextAttemptAt: number | undefined;

  constructor(
    readonly options: LinkOptions,
    throttle: ThrottleBackoff,
    private readonly log: Logger,
  ) {
    super();
    this.name = options.name ?? `${options.host}:${options.port}`;
    this.pacer = new LinkPacer({ window: options.window, backoffBaseMs: throttle.baseMs, backoffMaxMs: throttle.maxMs });
    this.pacer.on('throttle', () => this.emit('change'));
    this.pacer.on('open', () => this.emit('change'));
    this.pacer.on('clear', () => this.emit('change'));
    this.rate = new RateLimiter(options.ratePerSecond, Math.max(1, Math.ceil(options.ratePerSecond / 10)));
    this.reference = Math.floor(Math.random() * 0x10000);
    this.setMaxListeners(0); // every push waiting for a link listens for changes
  }

  get state(): LinkState {
    return this._state;
  }

  get bound(): boolean {
    return this._state === 'bound';
  }

  /** A push may commit to this link now: bound, no throttle pause on, and not busy probing. */
  get accepting(): boolean {
    return this.bound && !this.pacer.paused && !(this.probation && (this.probing || this.pacer.held > 0));
  }

  /** On probation, one push at a time is the probe; the others go elsewhere meanwhile. */
  claimProbe(): void {
    if (this.probation) this.probing = true;
  }

  releaseProbe(): void {
    if (!this.probing) return;
    this.probing = false;
    this.emit('change');
  }

  /** In rotation: bound, not on probation after a stall, not in a throttle episode. */
  get healthy(): boolean {
    return this.bound && !this.probation && !this.pacer.throttled;
  }

  /** Unacknowledged submit_sm now, and the most seen at once. */
  get inFlight(): { now: number; peak: number } {
    return { now: this.pacer.held, peak: this.pacer.peak };
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

  /**
   * Sends one submit_sm and waits for its response, within the window, the throttle pause and the
   * rate limit; gives up waiting for room at `deadline` (`busy`).
   */
  async submit(params: SubmitParams, options: { signal?: AbortSignal; deadline?: number } = {}): Promise<SubmitOutcome> {
    const { signal } = options;
    if (!this.bound) return { kind: 'down', reason: `link ${this.name} is not bound` };
    let slot: Awaited<ReturnType<LinkPacer['acquire']>> | undefined;
    try {
      slot = await this.pacer.acquire(options);
      await this.rate.take(signal);
    } catch (error) {
      slot?.release();
      if (!(error instanceof WaitCancelled)) throw error;
      if (error.why === 'aborted') return { kind: 'aborted' };
      return error.why === 'busy' ? { kind: 'busy' } : { kind: 'down', reason: error.message };
    }
    try {
      const session = this.session;
      if (!this.bound || !session) return { kind: 'down', reason: `link ${this.name} went down` };
      const resp = await this.request(session, submitSm(this.options, params), this.options.responseTimeoutMs, signal);
      if (resp === 'down') return { kind: 'down', reason: `link ${this.name} dropped before the submit_sm_resp` };
      if (resp === 'timeout') {
        this.stall(session);
        return { kind: 'timeout' };
      }
      if (resp === 'aborted') return { kind: 'aborted' };
      if (resp.command_status === ESME_RTHROTTLED || resp.command_status === ESME_RMSGQFUL) this.pacer.onThrottle(slot);
      else if (resp.command_status === 0) this.answered();
      if (resp.command_status !== 0) return { kind: 'error', status: resp.command_status };
      return { kind: 'ok', messageId: typeof resp.message_id === 'string' ? resp.message_id : '' };
    } finally {
      slot.release();
    }
  }

  /** The SMSC took a submit: the link is healthy (again). */
  private answered(): void {
    this.pacer.onSuccess();
    if (this.stalled || this.probation) {
      this.stalled = false;
      this.probation = false;
      this.failures = 0;
      this.log.info({ link: this.name }, `SMPP link ${this.name} answers submit_sm again: back in rotation`);
      this.emit('change');
    }
  }

  /**
   * A submit_sm went unanswered: an SMSC that still answers enquire_link may have stopped taking
   * messages. Out of rotation now (not after the keep-alive notices): drop the session so its
   * other submits move to the other links, and reconnect with back-off.
   */
  private stall(session: SmppSession): void {
    if (this.session !== session) return;
    this.stalls++;
    this.stalled = true;
    this.probation = false;
    this.lastError = `no submit_sm_resp within ${this.options.responseTimeoutMs} ms`;
    this.log.warn({ link: this.name }, `SMPP link ${this.name}: ${this.lastError}; out of rotation, reconnecting`);
    this.drop(session);
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
    this.requests.failAll();
    this.pacer.cancelWaiters(`link ${this.name} closed`);
    this.pacer.stop();
    this.setState('closed');
  }

  private setState(s: LinkState): void {
    if (this._state === s) return;
    this._state = s;
    this.emit('state', s);
    this.emit('change');
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
      this.drop(session);
    }, this.options.responseTimeoutMs);
    session.on('connect', () => {
      clearTimeout(this.connectTimer);
      if (this.session === session) void this.bind(session);
    });
    session.on('error', (error: Error) => {
      if (this.session !== session) return;
      this.lastError = error.message;
      this.log.debug({ link: this.name, err: error.message }, 'SMPP link error');
      this.drop(session);
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
      this.drop(session);
      return;
    }
    if (resp.command_status !== 0) {
      this.lastError = `${command} refused: ${describeStatus(resp.command_status)}`;
      this.log.error({ link: this.name, status: resp.command_status }, `SMPP link ${this.name}: ${this.lastError}`);
      this.drop(session);
      return;
    }
    // After a stall the SMSC binds fine but may still not answer submits: keep backing off until it does.
    if (!this.stalled) {
      this.failures = 0;
      this.lastError = undefined;
    }
    this.probation = this.stalled;
    if (this.probation) this.pacer.narrow();
    this.log.info({ link: this.name, mode: o.bindMode }, `SMPP link ${this.name} bound as ${o.bindMode}${this.probation ? ' (on probation: one submit at a time until one is answered)' : ''}`);
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
      this.drop(session);
    }
  }

  private request(session: SmppSession, pdu: SmppPdu, timeoutMs: number, signal?: AbortSignal): Promise<RequestResult> {
    return this.requests.send(session, pdu, timeoutMs, signal);
  }

  private onPdu(session: SmppSession, pdu: SmppPdu): void {
    if (this.session !== session) return;
    if (pdu.isResponse()) {
      this.requests.answer(pdu);
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

  /** Closes the session and treats the link as down now, not when the socket's close event comes. */
  private drop(session: SmppSession): void {
    session.destroy();
    this.onClosed(session);
  }

  private onClosed(session: SmppSession): void {
    if (this.session !== session) return;
    this.session = undefined;
    clearTimeout(this.connectTimer);
    clearInterval(this.enquireTimer);
    const wasBound = this._state === 'bound';
    this.requests.failAll();
    this.pacer.cancelWaiters(`link ${this.name} went down`);
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
}
