import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { DiameterFramer, decodeMessage, encodeMessage, type Avp, type DecodeLimits, type DiameterMessage } from './codec.js';

export class DiameterTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer within ${ms} ms`);
    this.name = 'DiameterTimeoutError';
  }
}

export class DiameterConnectionClosedError extends Error {
  constructor(what: string) {
    super(`${what}: connection closed`);
    this.name = 'DiameterConnectionClosedError';
  }
}

export interface ConnectionOptions extends DecodeLimits {
  /** Largest message accepted from the peer (default 1 MiB). */
  maxMessageLength?: number;
  /** Answers the peer's requests; return undefined to send nothing. */
  onRequest?: (request: DiameterMessage, connection: DiameterConnection) => Promise<DiameterMessage | undefined> | DiameterMessage | undefined;
}

export interface ConnectionEvents {
  close: [error?: Error];
  /** Every message read, before it is dispatched (for logs and tests). */
  message: [message: DiameterMessage];
}

let endToEndSeed = ((Math.floor(Date.now() / 1000) & 0xfff) << 20) >>> 0;
let hopByHopSeed = Math.floor(Math.random() * 0xffffffff) >>> 0;

/** Fresh identifiers: End-to-End per RFC 6733 §3 (time in the high 12 bits), Hop-by-Hop random start. */
export function nextIds(): { hopByHop: number; endToEnd: number } {
  endToEndSeed = (endToEndSeed + 1) >>> 0;
  hopByHopSeed = (hopByHopSeed + 1) >>> 0;
  return { hopByHop: hopByHopSeed, endToEnd: endToEndSeed };
}

/** The answer to `request`, same command, application and identifiers, R bit clear. */
export function answerTo(request: DiameterMessage, avps: Avp[], error = false): DiameterMessage {
  return {
    commandCode: request.commandCode,
    applicationId: request.applicationId,
    flags: { request: false, proxiable: request.flags.proxiable, error, retransmit: false },
    hopByHop: request.hopByHop,
    endToEnd: request.endToEnd,
    avps,
  };
}

interface Pending {
  resolve(m: DiameterMessage): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * One Diameter transport connection (TCP): frames and decodes the stream, matches answers to
 * requests by Hop-by-Hop id, hands requests to `onRequest`. A malformed stream closes it.
 */
export class DiameterConnection extends EventEmitter<ConnectionEvents> {
  private readonly framer: DiameterFramer;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  /** Time of the last message read (for watchdogs). */
  lastActivity = Date.now();

  constructor(
    readonly socket: Socket,
    private readonly options: ConnectionOptions = {},
  ) {
    super();
    this.framer = new DiameterFramer(options.maxMessageLength);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.shutdown(error));
    socket.on('close', () => this.shutdown());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends a request and resolves with its answer (or rejects on timeout or close). */
  request(message: Omit<DiameterMessage, 'hopByHop' | 'endToEnd'> & Partial<Pick<DiameterMessage, 'hopByHop' | 'endToEnd'>>, timeoutMs: number): Promise<DiameterMessage> {
    if (this.closed) return Promise.reject(new DiameterConnectionClosedError(`request ${message.commandCode}`));
    const ids = nextIds();
    const full: DiameterMessage = { ...message, hopByHop: message.hopByHop ?? ids.hopByHop, endToEnd: message.endToEnd ?? ids.endToEnd };
    return new Promise<DiameterMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(full.hopByHop);
        reject(new DiameterTimeoutError(`request ${full.commandCode}`, timeoutMs));
      }, timeoutMs);
      this.pending.set(full.hopByHop, { resolve, reject, timer });
      this.socket.write(encodeMessage(full), (error) => {
        if (!error) return;
        const p = this.pending.get(full.hopByHop);
        if (!p) return;
        clearTimeout(p.timer);
        this.pending.delete(full.hopByHop);
        reject(error);
      });
    });
  }

  send(message: DiameterMessage): void {
    if (!this.closed) this.socket.write(encodeMessage(message));
  }

  /** Ends the connection (after flushing what was written). */
  end(): void {
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  destroy(): void {
    this.socket.destroy();
    this.shutdown();
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.framer.push(chunk);
    } catch (error) {
      this.socket.destroy();
      this.shutdown(error as Error);
      return;
    }
    for (const frame of frames) {
      let message: DiameterMessage;
      try {
        message = decodeMessage(frame, this.options);
      } catch (error) {
        this.socket.destroy();
        this.shutdown(error as Error);
        return;
      }
      this.lastActivity = Date.now();
      this.emit('message', message);
      if (message.flags.request) void this.dispatch(message);
      else {
        const p = this.pending.get(message.hopByHop);
        if (!p) continue; // a late answer after a timeout
        this.pending.delete(message.hopByHop);
        clearTimeout(p.timer);
        p.resolve(message);
      }
    }
  }

  private async dispatch(request: DiameterMessage): Promise<void> {
    if (!this.options.onRequest) return;
    try {
      const answer = await this.options.onRequest(request, this);
      if (answer) this.send(answer);
    } catch (error) {
      this.emit('close', error as Error);
      this.destroy();
    }
  }

  private shutdown(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new DiameterConnectionClosedError(`request (hop-by-hop ${id})`));
    }
    this.pending.clear();
    this.emit('close', error);
  }
}
