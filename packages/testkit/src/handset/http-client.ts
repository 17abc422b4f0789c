import { Agent, request } from 'node:http';
import type { EncodedChunks } from '@openmmsc/codec';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string | number>;
  /** The request body: bytes, or chunks (e.g. from `encodePduVectored`) written as they are, not joined. */
  body?: Uint8Array | EncodedChunks;
  timeoutMs?: number;
}

/** A small HTTP/1.1 client with keep-alive (cheaper than fetch under load). */
export class HttpClient {
  readonly agent: Agent;

  constructor(maxSockets = 4) {
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  send(url: string, opts: HttpOptions = {}): Promise<HttpResult> {
    const u = new URL(url);
    return new Promise<HttpResult>((resolve, reject) => {
      const headers: Record<string, string | number> = { ...opts.headers };
      const body = opts.body;
      if (body) headers['content-length'] = body instanceof Uint8Array ? body.byteLength : body.length;
      const req = request(
        {
          host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: u.port || 80,
          path: `${u.pathname}${u.search}`,
          method: opts.method ?? (opts.body ? 'POST' : 'GET'),
          headers,
          agent: this.agent,
          timeout: opts.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${req.method} ${url} timed out`)));
      req.on('error', reject);
      if (body instanceof Uint8Array) req.end(body);
      else if (body) {
        // One corked burst: the head and every chunk leave in one vectored write.
        req.cork();
        for (const c of body.chunks) req.write(c);
        req.end();
        req.uncork();
      } else req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
