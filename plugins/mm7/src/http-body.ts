import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { BodyBuffer } from '@openmmsc/core';
import { markOwned } from './decoding/owned-bodies.js';

/** Bytes of a body kept for a best-effort look (its TransactionID) once it is known to be refused. */
const HEAD_BYTES = 64 * 1024;
/** Node reads a socket this much at a time: a body up to it often arrives whole, in one chunk. */
const ONE_READ = 64 * 1024;

/**
 * A body over the size limit. It was read to its end and dropped, so the client, which sends its
 * whole body before reading, finds the answer instead of a reset connection; only a body declared
 * larger than the discard limit is answered unread (and the connection closed).
 */
export class BodyTooLarge extends Error {
  readonly statusCode = 413;
  constructor(
    readonly limit: number,
    /** The first bytes of the body. */
    readonly head: Buffer,
    /** The body was not read to its end: close the connection after answering. */
    readonly unread: boolean,
  ) {
    super(`request body larger than ${limit} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/** A body still arriving on a connection: what an answer to a broken or stalled request can use. */
export interface PendingBody {
  readonly url: string;
  /** Content-Length, if the request declared one. */
  readonly declared: number | undefined;
  readonly received: number;
  /** The first bytes that arrived. */
  head(): Buffer;
}

function declaredLength(raw: IncomingMessage): number | undefined {
  const v = raw.headers['content-length'];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * Reads request bodies as Buffers within a size limit, in place of fastify's reader (which answers
 * an over-size Content-Length at once and closes the socket under a client still sending).
 */
export class BodyReader {
  private readonly pending = new WeakMap<Socket, PendingBody>();

  constructor(
    readonly limit: number,
    /** Beyond this many bytes a refused body is no longer read. */
    readonly discardLimit: number,
  ) {}

  /** The body being read on this connection, if any. */
  pendingOn(socket: Socket): PendingBody | undefined {
    return this.pending.get(socket);
  }

  read(raw: IncomingMessage, done: (error: Error | null, body?: Buffer) => void): void {
    const declared = declaredLength(raw);
    const chunks: Buffer[] = [];
    let kept = 0;
    let received = 0;
    let over = declared !== undefined && declared > this.limit;
    // A declared body larger than one socket read is copied into one buffer as it arrives, not
    // joined at the end (for 10 MB, one ≈ 25 ms task of page faults on the event loop); `chunks`
    // then keeps only the head, for a fault about a body that breaks off.
    const whole = declared !== undefined && !over && declared > ONE_READ ? new BodyBuffer(declared, { ownChunks: true }) : undefined;
    const head = () => {
      const all = Buffer.concat(chunks, kept);
      return all.length > HEAD_BYTES ? all.subarray(0, HEAD_BYTES) : all;
    };
    const pending: PendingBody = { url: raw.url ?? '', declared, head, get received() { return received; } };
    const socket = raw.socket;
    this.pending.set(socket, pending);
    let finished = false;
    const finish = (error: Error | null, body?: Buffer) => {
      if (finished) return;
      finished = true;
      if (this.pending.get(socket) === pending) this.pending.delete(socket);
      raw.off('data', onData);
      done(error, body);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > this.limit && !over) over = true;
      if (!over && whole) {
        // Node's parser ends a body at its Content-Length: `add` cannot run past it.
        whole.add(chunk);
        if (kept < HEAD_BYTES) {
          chunks.push(chunk);
          kept += chunk.length;
        }
        return;
      }
      if (!over) {
        chunks.push(chunk);
        kept += chunk.length;
        return;
      }
      if (kept > HEAD_BYTES) {
        const h = head();
        chunks.length = 0;
        chunks.push(h);
        kept = h.length;
      } else if (kept < HEAD_BYTES) {
        const piece = chunk.subarray(0, HEAD_BYTES - kept);
        chunks.push(piece);
        kept += piece.length;
      }
      if (received > this.discardLimit) finish(new BodyTooLarge(this.limit, head(), true));
    };
    if (declared !== undefined && declared > this.discardLimit) {
      finish(new BodyTooLarge(this.limit, Buffer.alloc(0), true));
      return;
    }
    raw.on('data', onData);
    // A body that arrived in one chunk (the usual case on a LAN) is used as it is: no copy. Node's
    // HTTP parser hands each chunk over in memory of its own (a copy of the socket's bytes), so that
    // chunk is the only view of its memory and may move to a decoding thread too.
    const joined = () => markOwned(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, kept));
    raw.on('end', () => {
      if (over) finish(new BodyTooLarge(this.limit, head(), false));
      else finish(null, whole ? markOwned(whole.content()) : joined());
    });
    raw.on('error', (error) => finish(error));
  }
}

/** What to say on a connection fastify never turned into a request (or whose request broke). */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes a whole answer on the socket and closes our side. The peer reads it before our FIN;
 * a peer that never closes its side is cut off after `lingerMs`.
 */
export function writeAndClose(socket: Socket, answer: RawAnswer, lingerMs = 5000): void {
  const body = Buffer.from(answer.body, 'utf8');
  let head = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}\r\n`;
  for (const [k, v] of Object.entries(answer.headers)) head += `${k}: ${v}\r\n`;
  head += `content-length: ${body.length}\r\nconnection: close\r\n\r\n`;
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  setTimeout(() => socket.destroy(), lingerMs).unref();
}
