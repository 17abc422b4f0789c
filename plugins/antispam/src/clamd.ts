import { connect, type Socket } from 'node:net';

export interface ClamdOptions {
  host: string;
  port: number;
  /** A Unix socket path instead of host/port. */
  socket?: string | undefined;
  timeoutMs: number;
  /** INSTREAM chunk size (bytes); clamd's StreamMaxLength bounds the total. */
  chunkSize: number;
}

export type ScanResult = { status: 'clean' } | { status: 'infected'; signature: string };

export class ClamdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClamdError';
  }
}

/**
 * A clamd client speaking the INSTREAM protocol (clamd(8)): `zINSTREAM\0`, then chunks each
 * prefixed with a 4-byte big-endian length, then a zero-length chunk; the answer is
 * `stream: OK`, `stream: <signature> FOUND` or `… ERROR`, NUL-terminated.
 */
export class ClamdClient {
  constructor(private readonly o: ClamdOptions) {}

  private open(): Socket {
    return this.o.socket ? connect({ path: this.o.socket }) : connect({ host: this.o.host, port: this.o.port });
  }

  private exchange(write: (socket: Socket) => void): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const socket = this.open();
      const chunks: Buffer[] = [];
      let settled = false;
      const done = (error: Error | undefined, value?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        if (error) reject(error);
        else resolve(value ?? '');
      };
      const timer = setTimeout(() => done(new ClamdError(`clamd did not answer within ${this.o.timeoutMs} ms`)), this.o.timeoutMs);
      socket.once('error', (e) => done(new ClamdError(`clamd unreachable: ${e.message}`)));
      socket.on('data', (d: Buffer) => {
        chunks.push(d);
        const all = Buffer.concat(chunks);
        const nul = all.indexOf(0);
        if (nul >= 0) done(undefined, all.subarray(0, nul).toString('utf8'));
      });
      socket.once('end', () => done(undefined, Buffer.concat(chunks).toString('utf8').replace(/\0.*$/s, '')));
      socket.once('connect', () => write(socket));
    });
  }

  async ping(): Promise<boolean> {
    const answer = await this.exchange((s) => s.write('zPING\0'));
    return answer.trim() === 'PONG';
  }

  async scan(data: Uint8Array): Promise<ScanResult> {
    const answer = await this.exchange((socket) => {
      socket.write('zINSTREAM\0');
      const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      for (let off = 0; off < buf.length; off += this.o.chunkSize) {
        const chunk = buf.subarray(off, Math.min(buf.length, off + this.o.chunkSize));
        const len = Buffer.alloc(4);
        len.writeUInt32BE(chunk.length);
        socket.write(len);
        socket.write(chunk);
      }
      socket.write(Buffer.alloc(4));
    });
    const text = answer.trim();
    const found = /^stream: (.+) FOUND$/.exec(text);
    if (found) return { status: 'infected', signature: found[1]! };
    if (/^stream: OK$/.test(text)) return { status: 'clean' };
    throw new ClamdError(`clamd: ${text || 'empty answer'}`);
  }
}
