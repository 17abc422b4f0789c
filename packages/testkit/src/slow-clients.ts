import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { waitFor } from './wait-for.js';

export interface SlowClientsOptions {
  host?: string;
  port: number;
  /** Source address of every connection (any of 127/8 reaches loopback on Linux), so a server sees them as one client. */
  localAddress: string;
  count: number;
  /** Sent once connected (e.g. an HTTP request head with a large Content-Length, or nothing). */
  opening: string | Buffer;
  /** Wait for the server to say this first (an SMTP greeting) before the opening and the drip. */
  after?: RegExp;
  /** One byte of this is sent on each connection every `everyMs` (default: `x`). */
  drip?: string;
  /** Send all of `drip` each time instead of one byte (e.g. `NOOP\r\n` every second). */
  whole?: boolean;
  everyMs: number;
  /** Speak TLS first (the dribbling is then inside TLS). */
  tls?: boolean;
  /** Connections opened at once (default 50): a burst larger than the listen backlog would be refused by the kernel, not the server. */
  batch?: number;
}

/** One connection of the crowd. */
export interface SlowConnection {
  socket: Socket;
  openedAt: number;
  /** When the server closed it (or it broke). */
  closedAt?: number;
  /** What the server wrote, as latin1. */
  received: string;
  /** The opening was sent: the drip goes to it from now on. */
  ready?: boolean;
}

/**
 * A crowd of slow clients: each connects from `localAddress`, sends an opening and then one byte
 * every `everyMs`, forever, the way a slowloris attack or a stalled handset does. Tests count how
 * many the server still holds open.
 */
export class SlowClients {
  readonly connections: SlowConnection[] = [];
  /** When `start` began opening the crowd (epoch ms). */
  startedAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: SlowClientsOptions) {}

  async start(): Promise<void> {
    this.startedAt = Date.now();
    const batch = this.o.batch ?? 50;
    for (let i = 0; i < this.o.count; i += batch) {
      const n = Math.min(batch, this.o.count - i);
      await Promise.all(Array.from({ length: n }, () => this.add()));
    }
    const drip = this.o.drip ?? 'x';
    let k = 0;
    this.timer = setInterval(() => {
      const byte = this.o.whole ? drip : drip[k++ % drip.length]!;
      for (const c of this.connections) if (c.ready && c.closedAt === undefined && c.socket.writable) c.socket.write(byte);
    }, this.o.everyMs);
  }

  /** Connections the server has not closed. */
  get stillOpen(): number {
    return this.connections.filter((c) => c.closedAt === undefined).length;
  }

  /** Waits until the server holds at most `max` of the crowd open (0: it closed them all). */
  async untilOpenAtMost(max: number, what: string, timeoutMs: number): Promise<void> {
    await waitFor(what, () => this.stillOpen <= max, { timeoutMs });
  }

  /** The longest any connection lasted from `start` until the server closed it (ms). */
  longestMs(): number {
    return Math.max(...this.connections.map((c) => (c.closedAt ?? Date.now()) - this.startedAt));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const c of this.connections) c.socket.destroy();
  }

  private open1(): Promise<SlowConnection> {
    return new Promise((resolve) => {
      const options = { host: this.o.host ?? '127.0.0.1', port: this.o.port, localAddress: this.o.localAddress };
      const socket = this.o.tls ? tlsConnect({ ...options, rejectUnauthorized: false }) : connect(options);
      const c: SlowConnection = { socket, openedAt: Date.now(), received: '' };
      socket.setEncoding('latin1');
      socket.on('data', (d: string) => (c.received += d));
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        resolve(c);
      };
      socket.on('close', () => {
        c.closedAt ??= Date.now();
        done();
      });
      socket.on('error', () => undefined);
      const speak = () => {
        if (this.o.opening.length > 0) socket.write(this.o.opening);
        c.ready = true;
        done();
      };
      socket.once(this.o.tls ? 'secureConnect' : 'connect', () => {
        if (!this.o.after) return speak();
        const wait = () => {
          if (!this.o.after!.test(c.received)) return;
          socket.off('data', wait);
          speak();
        };
        socket.on('data', wait);
      });
    });
  }

  private async add(): Promise<void> {
    this.connections.push(await this.open1());
  }
}

/** File descriptors this process holds open now (Linux `/proc/self/fd`); undefined elsewhere. */
export function openDescriptors(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

export interface SlowPostsOptions {
  /** Where to POST: the path and the server's port are taken from it. */
  url: string;
  count: number;
  everyMs: number;
  /** The Content-Length each request declares (and never reaches). */
  contentLength: number;
  /** Headers besides Host and Content-Length (Content-Type, Authorization, …). */
  headers?: Record<string, string>;
  /** Body bytes sent with the head, before the drip. */
  firstBytes?: string;
  /** Default 127.0.0.2: a client other than the trusted gateways tests put on 127.0.0.1. */
  localAddress?: string;
}

/** A started crowd of HTTP POSTs that send their head and then dribble the body (slowloris). */
export async function slowPosts(o: SlowPostsOptions): Promise<SlowClients> {
  const url = new URL(o.url);
  let opening = `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  for (const [name, value] of Object.entries(o.headers ?? {})) opening += `${name}: ${value}\r\n`;
  opening += `Content-Length: ${o.contentLength}\r\n\r\n${o.firstBytes ?? ''}`;
  const slow = new SlowClients({ port: Number(url.port), localAddress: o.localAddress ?? '127.0.0.2', count: o.count, opening, everyMs: o.everyMs });
  try {
    await slow.start();
  } catch (error) {
    slow.stop();
    throw error;
  }
  return slow;
}
