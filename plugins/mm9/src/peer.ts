import { EventEmitter } from 'node:events';
import { connect } from 'node:net';
import type { PluginContext } from '@openmmsc/core';
import {
  APPLICATION_CREDIT_CONTROL,
  Command,
  DisconnectCause,
  DiameterConnection,
  ResultCode,
  answerTo,
  findAllAvps,
  getNumber,
  getString,
  makeAvp,
  decodeValue,
  dictionary,
  type Avp,
  type DiameterMessage,
} from '@openmmsc/diameter';

type Logger = PluginContext<unknown>['log'];

export interface LocalIdentity {
  originHost: string;
  originRealm: string;
  hostIpAddress: string;
  productName: string;
  vendorId: number;
  originStateId: number;
}

export interface PeerConfig {
  host: string;
  port: number;
  name: string;
}

export interface PeerTimings {
  connectTimeoutMs: number;
  watchdogIntervalMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

export type PeerState = 'closed' | 'connecting' | 'open' | 'stopped';

export class PeerUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PeerUnavailableError';
  }
}

interface PeerEvents {
  state: [state: PeerState];
}

/**
 * One Diameter peer (RFC 6733 §5): connects, exchanges capabilities (CER/CEA), keeps the link
 * alive with watchdogs (DWR/DWA), answers the peer's DWR and DPR, reconnects with back-off when
 * the link drops, and says goodbye with DPR on stop.
 */
export class DiameterPeer extends EventEmitter<PeerEvents> {
  private connection: DiameterConnection | undefined;
  private current: PeerState = 'closed';
  private reconnectDelay: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;
  private watchdogPending = false;
  /** When the outstanding DWR was sent (0: none outstanding). */
  private watchdogSentAt = 0;
  /** Origin-Host the peer announced in its CEA. */
  remoteHost: string | undefined;
  /** Why the peer last failed (connect, CER/CEA, watchdog, close), for the operator. */
  lastFailure: string | undefined;

  constructor(
    readonly config: PeerConfig,
    private readonly local: LocalIdentity,
    private readonly timings: PeerTimings,
    private readonly log: Logger,
  ) {
    super();
    this.reconnectDelay = timings.reconnectMinMs;
  }

  get state(): PeerState {
    return this.current;
  }

  /**
   * Open, but a watchdog has gone unanswered for half its time (RFC 3539 §3.4.1 SUSPECT: the
   * connection is closed when the rest passes without a DWA).
   */
  get suspect(): boolean {
    return this.current === 'open' && this.watchdogSentAt > 0 && Date.now() - this.watchdogSentAt >= this.timings.watchdogIntervalMs / 2;
  }

  start(): void {
    if (this.current === 'stopped') return;
    void this.connect();
  }

  /** Resolves when the peer is open, or false after `ms`. */
  waitOpen(ms: number): Promise<boolean> {
    if (this.current === 'open') return Promise.resolve(true);
    if (this.current === 'stopped') return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.off('state', onState);
        resolve(false);
      }, ms);
      const onState = (s: PeerState) => {
        if (s !== 'open' && s !== 'stopped') return;
        clearTimeout(timer);
        this.off('state', onState);
        resolve(s === 'open');
      };
      this.on('state', onState);
    });
  }

  async request(message: Omit<DiameterMessage, 'hopByHop' | 'endToEnd'> & Partial<Pick<DiameterMessage, 'endToEnd'>>, timeoutMs: number): Promise<DiameterMessage> {
    const conn = this.connection;
    if (this.current !== 'open' || !conn) throw new PeerUnavailableError(`peer ${this.config.name} is ${this.current}`);
    return conn.request(message, timeoutMs);
  }

  /** Sends DPR (if open), waits briefly for DPA, closes, and stops reconnecting. */
  async stop(): Promise<void> {
    const conn = this.connection;
    const wasOpen = this.current === 'open';
    this.setState('stopped');
    clearTimeout(this.reconnectTimer);
    clearInterval(this.watchdogTimer);
    if (!conn) return;
    if (wasOpen && !conn.isClosed) {
      try {
        await conn.request(
          { commandCode: Command.DisconnectPeer, applicationId: 0, flags: flags(true), avps: [...this.identity(), makeAvp('Disconnect-Cause', DisconnectCause.REBOOTING)] },
          1000,
        );
      } catch {
        // the peer may already be gone
      }
    }
    conn.end();
    conn.destroy();
    this.connection = undefined;
  }

  private identity(): Avp[] {
    return [makeAvp('Origin-Host', this.local.originHost), makeAvp('Origin-Realm', this.local.originRealm)];
  }

  private setState(s: PeerState): void {
    if (this.current === s || (this.current === 'stopped' && s !== 'stopped')) return;
    this.current = s;
    this.emit('state', s);
  }

  private async connect(): Promise<void> {
    if (this.current === 'stopped' || this.current === 'connecting' || this.current === 'open') return;
    this.setState('connecting');
    const { host, port, name } = this.config;
    const socket = connect({ host, port });
    const conn = new DiameterConnection(socket, { onRequest: (req) => this.onRequest(req) });
    this.connection = conn;
    conn.on('close', (error) => this.onClose(conn, error));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`connect timeout after ${this.timings.connectTimeoutMs} ms`)), this.timings.connectTimeoutMs);
        socket.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.once('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      });
      const cea = await conn.request(
        {
          commandCode: Command.CapabilitiesExchange,
          applicationId: 0,
          flags: flags(true, false),
          avps: [
            ...this.identity(),
            makeAvp('Host-IP-Address', this.local.hostIpAddress),
            makeAvp('Vendor-Id', this.local.vendorId),
            makeAvp('Product-Name', this.local.productName),
            makeAvp('Origin-State-Id', this.local.originStateId),
            makeAvp('Supported-Vendor-Id', 10415),
            makeAvp('Auth-Application-Id', APPLICATION_CREDIT_CONTROL),
            makeAvp('Firmware-Revision', 1),
          ],
        },
        this.timings.connectTimeoutMs,
      );
      const result = getNumber(cea.avps, 'Result-Code');
      if (result !== ResultCode.SUCCESS) throw new Error(`CEA Result-Code ${result ?? 'missing'}`);
      const apps = findAllAvps(cea.avps, 'Auth-Application-Id').map((a) => decodeValue(dictionary.get('Auth-Application-Id'), a.data));
      if (apps.length > 0 && !apps.includes(APPLICATION_CREDIT_CONTROL) && !apps.includes(0xffffffff)) {
        throw new Error(`peer does not support credit control (Auth-Application-Id ${apps.join(', ')})`);
      }
      this.remoteHost = getString(cea.avps, 'Origin-Host');
      if ((this.current as PeerState) !== 'connecting' || conn.isClosed) throw new Error('connection lost during capability exchange');
      this.reconnectDelay = this.timings.reconnectMinMs;
      this.setState('open');
      this.log.info({ peer: name, remoteHost: this.remoteHost }, 'Diameter peer open');
      this.startWatchdog(conn);
    } catch (error) {
      this.lastFailure = `connection failed: ${(error as Error).message}`;
      this.log.warn({ peer: name, err: error }, 'Diameter peer connection failed');
      conn.destroy();
    }
  }

  private startWatchdog(conn: DiameterConnection): void {
    clearInterval(this.watchdogTimer);
    const interval = this.timings.watchdogIntervalMs;
    this.watchdogTimer = setInterval(() => {
      if (conn.isClosed || this.watchdogPending) return;
      if (Date.now() - conn.lastActivity < interval) return;
      this.watchdogPending = true;
      this.watchdogSentAt = Date.now();
      conn
        .request({ commandCode: Command.DeviceWatchdog, applicationId: 0, flags: flags(true, false), avps: [...this.identity(), makeAvp('Origin-State-Id', this.local.originStateId)] }, interval)
        .then(
          () => undefined,
          (error: unknown) => {
            this.lastFailure = `watchdog unanswered: ${(error as Error).message}`;
            this.log.warn({ peer: this.config.name, err: error }, 'Diameter watchdog failed; closing the connection');
            conn.destroy();
          },
        )
        .finally(() => {
          this.watchdogPending = false;
          this.watchdogSentAt = 0;
        });
    }, Math.max(50, Math.floor(interval / 4)));
    this.watchdogTimer.unref();
  }

  private onRequest(req: DiameterMessage): DiameterMessage | undefined {
    const ok = [makeAvp('Result-Code', ResultCode.SUCCESS), ...this.identity()];
    if (req.commandCode === Command.DeviceWatchdog) return answerTo(req, [...ok, makeAvp('Origin-State-Id', this.local.originStateId)]);
    if (req.commandCode === Command.DisconnectPeer) {
      this.log.info({ peer: this.config.name }, 'Diameter peer asked to disconnect (DPR)');
      setTimeout(() => this.connection?.end(), 10);
      return answerTo(req, ok);
    }
    return answerTo(req, [makeAvp('Result-Code', ResultCode.COMMAND_UNSUPPORTED), ...this.identity()], true);
  }

  private onClose(conn: DiameterConnection, error?: Error): void {
    if (this.connection !== conn) return;
    this.connection = undefined;
    clearInterval(this.watchdogTimer);
    if (this.current === 'stopped') return;
    if (this.current === 'open') {
      this.lastFailure = `connection closed${error ? `: ${error.message}` : ''}`;
      this.log.warn({ peer: this.config.name, err: error }, 'Diameter peer connection closed');
    }
    this.setState('closed');
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.timings.reconnectMaxMs);
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref();
  }
}

export function flags(request: boolean, proxiable = true): DiameterMessage['flags'] {
  return { request, proxiable, error: false, retransmit: false };
}
