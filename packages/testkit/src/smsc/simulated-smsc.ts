/// <reference types="@openmmsc/smpp-types" preserve="true" />
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import smpp, { type SmppPdu, type SmppServer, type SmppSession } from 'smpp';
import type { BindRecord, RefusedSms, SimulatedSmscEvents, SimulatedSmscOptions, SubmittedSms } from './records.js';
import { rawMessage, receiptText } from './short-message.js';

interface SessionState {
  id: number;
  session: SmppSession;
  bound: boolean;
  mode?: BindRecord['mode'];
  systemId: string;
  unacked: number;
  pendingDeliver: Map<number, (status: number | undefined) => void>;
}

const ESME_RINVBNDSTS = 0x04;
const ESME_RINVPASWD = 0x0e;
const ESME_RINVSYSID = 0x0f;
export const ESME_RTHROTTLED = 0x58;

/**
 * An SMSC for tests, built on the `smpp` package's server mode: accepts binds, records every
 * submit_sm (with its raw short_message), answers with message ids, and on demand throttles, fails,
 * delays responses, drops links and sends delivery receipts.
 */
export class SimulatedSmsc extends EventEmitter<SimulatedSmscEvents> {
  /** Every accepted submit_sm, in arrival order. */
  readonly submits: SubmittedSms[] = [];
  /** submit_sm answered with an error status. */
  readonly refused: RefusedSms[] = [];
  /** Every bind attempt. */
  readonly binds: BindRecord[] = [];
  /** enquire_link received. */
  enquireLinks = 0;
  /** Delay before each submit_sm_resp, ms. */
  responseDelayMs: number;
  /** While true, new TCP connections are closed at once (an SMSC that is down). */
  refuseConnections = false;
  /** While true, every PDU is read and ignored: no bind_resp, submit_sm_resp or enquire_link_resp (a hung SMSC). */
  silent = false;

  private opts: SimulatedSmscOptions;
  private server: SmppServer | undefined;
  private readonly sessions = new Set<SessionState>();
  private readonly forced: number[] = [];
  private nextSession = 0;
  private nextId = 0;
  private readonly idPrefix = Math.floor(Math.random() * 0xffff)
    .toString(16)
    .padStart(4, '0');
  private peak = 0;
  private outageTimer: NodeJS.Timeout | undefined;

  constructor(opts: SimulatedSmscOptions = {}) {
    super();
    this.opts = opts;
    this.responseDelayMs = opts.responseDelayMs ?? 0;
  }

  /** The port it listens on (after `start`). */
  get port(): number {
    const a = this.server?.address() as AddressInfo | null | undefined;
    if (!a) throw new Error('SimulatedSmsc is not started');
    return a.port;
  }

  get host(): string {
    return this.opts.host ?? '127.0.0.1';
  }

  /** Sessions bound now. */
  get boundSessions(): number {
    let n = 0;
    for (const s of this.sessions) if (s.bound) n++;
    return n;
  }

  /** Most submit_sm a single session had unanswered at once (to check an ESME's window). */
  get maxInFlight(): number {
    return this.peak;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = smpp.createServer((session) => this.onSession(session));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    clearTimeout(this.outageTimer);
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    this.dropLinks();
    await closed;
  }

  /** Answers the next `n` submit_sm with ESME_RTHROTTLED (0x58). */
  throttleNext(n: number): void {
    this.failNext(n, ESME_RTHROTTLED);
  }

  /** Answers the next `n` submit_sm with `status` (e.g. 0x0B ESME_RINVDSTADR). */
  failNext(n: number, status: number): void {
    for (let i = 0; i < n; i++) this.forced.push(status);
  }

  /** Destroys every session's socket at once (the ESME must reconnect). */
  dropLinks(): void {
    for (const s of [...this.sessions]) {
      s.bound = false;
      s.session.destroy();
    }
  }

  /** Changes the credentials binds must use from now on (`undefined`: accept any). */
  setCredentials(systemId: string | undefined, password: string | undefined): void {
    const { systemId: _s, password: _p, ...rest } = this.opts;
    this.opts = { ...rest, ...(systemId !== undefined ? { systemId } : {}), ...(password !== undefined ? { password } : {}) };
  }

  /** Sends `unbind` on every bound session (the ESME answers unbind_resp, closes, and should bind again). */
  unbindAll(): void {
    for (const s of this.sessions) {
      if (!s.bound) continue;
      s.bound = false;
      s.session.send(new smpp.PDU('unbind', {}));
    }
  }

  /** Drops every link and refuses connections for `ms`. */
  outage(ms: number): void {
    this.refuseConnections = true;
    this.dropLinks();
    clearTimeout(this.outageTimer);
    this.outageTimer = setTimeout(() => {
      this.refuseConnections = false;
    }, ms);
  }

  /**
   * Sends a delivery receipt (deliver_sm, esm_class 0x04, the SMPP 3.4 appendix B text plus the
   * receipted_message_id and message_state TLVs) for an accepted submit, on a bound transceiver or
   * receiver session (preferring the one that submitted it). Resolves true once the ESME answered
   * deliver_sm_resp with status 0; false when no session can take it or the ESME refused it.
   */
  sendDeliveryReceipt(messageId: string, stat = 'DELIVRD', err = '000'): Promise<boolean> {
    const sub = this.submits.find((s) => s.messageId === messageId);
    const candidates = [...this.sessions].filter((s) => s.bound && s.mode !== 'transmitter');
    const target = candidates.find((s) => s.id === sub?.sessionId) ?? candidates[0];
    if (!target) return Promise.resolve(false);
    const body = receiptText(messageId, sub, stat, err);
    const states: Record<string, number> = { ENROUTE: 1, DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, ACCEPTD: 6, UNKNOWN: 7, REJECTD: 8 };
    const pdu = new smpp.PDU('deliver_sm', {
      service_type: '',
      source_addr_ton: sub?.destTon ?? 1,
      source_addr_npi: sub?.destNpi ?? 1,
      source_addr: sub?.destinationAddr ?? '',
      dest_addr_ton: sub?.sourceTon ?? 0,
      dest_addr_npi: sub?.sourceNpi ?? 0,
      destination_addr: sub?.sourceAddr ?? '',
      esm_class: 0x04,
      data_coding: 0,
      short_message: Buffer.from(body, 'latin1'),
      receipted_message_id: messageId,
      message_state: states[stat] ?? 7,
    });
    return new Promise<boolean>((resolve) => {
      if (!target.session.send(pdu)) return resolve(false);
      const timer = setTimeout(() => {
        target.pendingDeliver.delete(pdu.sequence_number);
        resolve(false);
      }, 5000);
      target.pendingDeliver.set(pdu.sequence_number, (status) => {
        clearTimeout(timer);
        resolve(status === 0);
      });
    });
  }

  private onSession(session: SmppSession): void {
    if (this.refuseConnections || !this.server) {
      session.destroy();
      return;
    }
    const state: SessionState = { id: ++this.nextSession, session, bound: false, systemId: '', unacked: 0, pendingDeliver: new Map() };
    this.sessions.add(state);
    session.on('error', () => session.destroy());
    session.socket.on('close', () => {
      state.bound = false;
      this.sessions.delete(state);
      for (const settle of state.pendingDeliver.values()) settle(undefined);
      state.pendingDeliver.clear();
    });
    session.on('pdu', (pdu: SmppPdu) => this.onPdu(state, pdu));
  }

  private onPdu(s: SessionState, pdu: SmppPdu): void {
    if (this.silent) return;
    const session = s.session;
    switch (pdu.command) {
      case 'bind_transceiver':
      case 'bind_transmitter':
      case 'bind_receiver': {
        const mode = pdu.command.slice('bind_'.length) as BindRecord['mode'];
        const systemId = String(pdu.system_id ?? '');
        const password = String(pdu.password ?? '');
        let status = 0;
        if (s.bound) status = 0x05; // ESME_RALYBND
        else if (this.opts.systemId !== undefined && systemId !== this.opts.systemId) status = ESME_RINVSYSID;
        else if (this.opts.password !== undefined && password !== this.opts.password) status = ESME_RINVPASWD;
        const record: BindRecord = {
          sessionId: s.id,
          mode,
          systemId,
          password,
          systemType: String(pdu.system_type ?? ''),
          interfaceVersion: Number(pdu.interface_version ?? 0),
          accepted: status === 0,
          at: Date.now(),
        };
        this.binds.push(record);
        this.emit('bind', record);
        if (status !== 0) {
          session.send(pdu.response({ command_status: status }), () => session.close());
          return;
        }
        s.bound = true;
        s.mode = mode;
        s.systemId = systemId;
        session.send(pdu.response({ system_id: 'OPENMMSC-SIM' }));
        return;
      }
      case 'submit_sm':
        this.onSubmit(s, pdu);
        return;
      case 'enquire_link':
        this.enquireLinks++;
        session.send(pdu.response());
        return;
      case 'unbind':
        s.bound = false;
        session.send(pdu.response(), () => session.close());
        return;
      case 'deliver_sm_resp': {
        const settle = s.pendingDeliver.get(pdu.sequence_number);
        s.pendingDeliver.delete(pdu.sequence_number);
        settle?.(pdu.command_status);
        return;
      }
      case 'generic_nack': {
        const settle = s.pendingDeliver.get(pdu.sequence_number);
        s.pendingDeliver.delete(pdu.sequence_number);
        settle?.(pdu.command_status || 0x03);
        return;
      }
      default:
        if (pdu.isResponse()) return;
        session.send(pdu.command === 'unknown' ? pdu.response() : pdu.response({ command_status: 0x03 }));
    }
  }

  private onSubmit(s: SessionState, pdu: SmppPdu): void {
    if (!s.bound || s.mode === 'receiver') {
      s.session.send(pdu.response({ command_status: ESME_RINVBNDSTS }));
      return;
    }
    const dataCoding = Number(pdu.data_coding ?? 0);
    const base = {
      sourceAddr: String(pdu.source_addr ?? ''),
      sourceTon: Number(pdu.source_addr_ton ?? 0),
      sourceNpi: Number(pdu.source_addr_npi ?? 0),
      destinationAddr: String(pdu.destination_addr ?? ''),
      destTon: Number(pdu.dest_addr_ton ?? 0),
      destNpi: Number(pdu.dest_addr_npi ?? 0),
      esmClass: Number(pdu.esm_class ?? 0),
      dataCoding,
      registeredDelivery: Number(pdu.registered_delivery ?? 0),
      shortMessage: rawMessage(pdu.short_message, dataCoding),
      at: Date.now(),
      systemId: s.systemId,
      sessionId: s.id,
    };
    if (base.shortMessage.length === 0 && pdu.message_payload !== undefined) base.shortMessage = rawMessage(pdu.message_payload, dataCoding);
    s.unacked++;
    if (s.unacked > this.peak) this.peak = s.unacked;
    const forced = this.forced.shift();
    let response: SmppPdu;
    let announce: () => void;
    if (forced !== undefined && forced !== 0) {
      const refused: RefusedSms = { ...base, status: forced };
      this.refused.push(refused);
      announce = () => this.emit('refused', refused);
      response = pdu.response({ command_status: forced });
    } else {
      const messageId = `${this.idPrefix}${(++this.nextId).toString(16).padStart(6, '0')}`;
      const sms: SubmittedSms = { ...base, messageId };
      this.submits.push(sms);
      announce = () => this.emit('submit', sms);
      response = pdu.response({ message_id: messageId });
    }
    const send = () => {
      s.unacked--;
      if (this.sessions.has(s)) s.session.send(response);
    };
    if (this.responseDelayMs > 0) {
      // A slow SMSC: the handset may have its SMS before the ESME has the answer.
      announce();
      setTimeout(send, this.responseDelayMs);
    } else {
      // As an SMSC does: the submit is accepted (answered), then delivered to the handset.
      send();
      announce();
    }
  }
}
