/**
 * Protection of an inbound SMTP listener, in one place: connection caps checked at
 * connect (in all, per client address, per configured peer, with slots kept for each peer), and
 * absolute time-outs per protocol step that single bytes or NOOPs do not reset.
 */
import type { BlockList } from 'node:net';
import { ConnectionBudget, ipAllowed, listenerMetrics, type AdmissionDecision, type ListenerMetrics, type ListenerRefusal, type SmtpListenerLimits } from '@openmmsc/core';
import type { Registry } from 'prom-client';
import type { SMTPServer, SMTPServerDataStream, SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import { SmtpReply, notAdmittedReply, replies } from './reply.js';

/** A configured peer, known at connect by its address. */
export interface GuardedPeer {
  name: string;
  addresses: BlockList;
  /** Most connections it may have open. */
  maxConnections: number;
}

export interface SmtpGuardOptions {
  /** Names the listener in logs and metrics (`mm4`, `mm3`); also the interface `admit` is asked for. */
  listener: string;
  limits: SmtpListenerLimits;
  peers: readonly GuardedPeer[];
  metrics?: Registry;
  /** The kernel's admission check: while it refuses, MAIL FROM is answered 451 (new mail is not taken now). */
  admit?: (iface: string) => AdmissionDecision;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

interface Guarded {
  release: () => void;
  timer?: NodeJS.Timeout;
}

/** The connection object smtp-server keeps per session (the parts used to end one). */
interface Connection {
  id?: string;
  send(code: number, text: string): void;
  close(): void;
}

/**
 * Wraps an smtp-server's hooks. A session gets `commandTimeout` from connect to its first step
 * (STARTTLS done, AUTH, MAIL FROM), and then between steps (MAIL → RCPT → DATA); the content
 * after DATA gets `dataTimeout` in all. NOOP, RSET or a command sent a byte at a time move
 * nothing forward, so they do not buy time. Over a limit the client gets 421 and is disconnected.
 */
export class SmtpGuard {
  private readonly budget: ConnectionBudget;
  private readonly sessions = new Map<string, Guarded>();
  private readonly metrics: ListenerMetrics | undefined;
  private server: SMTPServer | undefined;
  private untrack: (() => void) | undefined;

  constructor(private readonly o: SmtpGuardOptions) {
    const l = o.limits;
    this.budget = new ConnectionBudget({
      maxConnections: l.maxConnections,
      maxConnectionsPerAddress: l.maxConnectionsPerAddress,
      groups: o.peers.map((p) => ({ name: p.name, max: p.maxConnections })),
      reservedPerGroup: l.reservedPerPeer,
    });
    this.metrics = o.metrics ? listenerMetrics(o.metrics) : undefined;
  }

  /** Open connections now. */
  get open(): number {
    return this.budget.open;
  }

  /** The peer a client address belongs to, if any. */
  peerAt(remote: string): GuardedPeer | undefined {
    return this.o.peers.find((p) => ipAllowed(p.addresses, remote));
  }

  /** The server's options with the guard's checks around the hooks given. */
  wrap(options: SMTPServerOptions): SMTPServerOptions {
    const l = this.o.limits;
    const { onConnect, onSecure, onAuth, onMailFrom, onRcptTo, onData, onClose } = options;
    return {
      ...options,
      // smtp-server's own cap stays above ours: the guard answers first, with its reserved slots.
      maxClients: l.maxConnections + 50,
      socketTimeout: Math.max(l.commandTimeout, 1000),
      onConnect: (session, callback) => {
        const refusal = this.connect(session);
        if (refusal) return callback(refusal);
        if (onConnect) return onConnect(session, callback);
        return callback();
      },
      onSecure: (socket, session, callback) => {
        this.step(session);
        if (onSecure) return onSecure(socket, session, callback);
        return callback();
      },
      onAuth: (auth, session, callback) => {
        this.step(session);
        if (onAuth) return onAuth(auth, session, callback);
        return callback(replies.authenticationUnavailable());
      },
      onMailFrom: (address, session, callback) => {
        this.step(session);
        const admitted = this.o.admit?.(this.o.listener);
        if (admitted && !admitted.ok) return callback(notAdmittedReply(admitted.reason));
        if (onMailFrom) return onMailFrom(address, session, callback);
        return callback();
      },
      onRcptTo: (address, session, callback) => {
        this.step(session);
        if (onRcptTo) return onRcptTo(address, session, callback);
        return callback();
      },
      onData: (stream: SMTPServerDataStream, session, callback) => {
        this.arm(session.id, l.dataTimeout, 'data-timeout');
        // The time our own processing takes is not the client's: its next step starts at our answer.
        stream.once('end', () => this.disarm(session.id));
        const answered: typeof callback = (error, message) => {
          this.step(session);
          return callback(error, message);
        };
        if (onData) return onData(stream, session, answered);
        stream.resume();
        stream.once('end', () => answered(null));
        return undefined;
      },
      onClose: (session, callback) => {
        this.closed(session);
        if (onClose) onClose(session, callback);
      },
    };
  }

  /** Follows the server's connections, to end a session that runs out of time. */
  attach(server: SMTPServer): void {
    this.server = server;
    this.untrack = this.metrics?.track(this.o.listener, () => this.budget.open);
    server.server.once('close', () => this.untrack?.());
  }

  private connect(session: SMTPServerSession): SmtpReply | undefined {
    const peer = this.peerAt(session.remoteAddress);
    const admitted = this.budget.admit(session.remoteAddress, peer?.name);
    if (!admitted.ok) {
      this.refused(admitted.reason);
      this.o.log.warn({ remote: session.remoteAddress, peer: peer?.name, reason: admitted.reason }, `${this.o.listener} connection refused: ${admitted.detail}`);
      const text =
        admitted.reason === 'per-peer'
          ? `4.7.0 too many connections from ${peer?.name ?? session.remoteAddress}; try again later`
          : admitted.reason === 'per-address'
            ? `4.7.0 too many connections from ${session.remoteAddress}; try again later`
            : '4.3.2 too many connections; try again later';
      return new SmtpReply(421, text);
    }
    this.sessions.set(session.id, { release: admitted.release });
    this.arm(session.id, this.o.limits.commandTimeout, 'command-timeout');
    return undefined;
  }

  /** The session moved forward: its next step gets a whole `commandTimeout`. */
  private step(session: SMTPServerSession): void {
    this.arm(session.id, this.o.limits.commandTimeout, 'command-timeout');
  }

  private arm(id: string, ms: number, reason: 'command-timeout' | 'data-timeout'): void {
    const g = this.sessions.get(id);
    if (!g) return;
    if (g.timer) clearTimeout(g.timer);
    g.timer = setTimeout(() => this.expire(id, reason), ms);
    g.timer.unref();
  }

  private disarm(id: string): void {
    const g = this.sessions.get(id);
    if (g?.timer) clearTimeout(g.timer);
    if (g) delete g.timer;
  }

  private expire(id: string, reason: 'command-timeout' | 'data-timeout'): void {
    const connection = [...(this.server?.connections ?? [])].find((c) => (c as unknown as Connection).id === id) as unknown as Connection | undefined;
    this.refused(reason);
    this.o.log.info({ session: id, reason }, `${this.o.listener} session timed out`);
    if (!connection) return;
    connection.send(421, reason === 'data-timeout' ? '4.4.2 message content not received in time; closing connection' : '4.4.2 no progress in time; closing connection');
    connection.close();
  }

  private closed(session: SMTPServerSession): void {
    const g = this.sessions.get(session.id);
    if (!g) return;
    if (g.timer) clearTimeout(g.timer);
    g.release();
    this.sessions.delete(session.id);
  }

  private refused(reason: ListenerRefusal): void {
    this.metrics?.refused(this.o.listener, reason);
  }
}
