import { Agent, request } from 'node:http';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string | number>;
  body?: Uint8Array;
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
      if (opts.body) headers['content-length'] = opts.body.byteLength;
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
      if (opts.body) req.end(opts.body);
      else req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
