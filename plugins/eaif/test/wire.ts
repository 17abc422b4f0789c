/**
 * The peer's side of EAIF, written for the tests: an HTTP client that POSTs bytes as an
 * application does, an HTTP server that plays the application receiving from the MMSC, and
 * tshark (Wireshark's HTTP and MMSE dissectors) as an independent reader of what we send.
 */
import assert from 'node:assert/strict';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tcpPcap, tshark, withPcap } from '@openmmsc/testkit/tshark';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** POSTs `body` with `headers` (node:http, nothing of the project's). */
export function post(url: string, headers: Record<string, string | string[]>, body: Uint8Array): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-length': String(body.byteLength), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * Sends a raw request on a socket, half-closes it, and returns what came back (the status line
 * and headers as text), for requests no HTTP client would send (a body cut short).
 */
export function rawExchange(url: string, head: string, body: Uint8Array, { halfClose = true } = {}): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port) });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
    socket.write(head);
    socket.write(body);
    if (halfClose) socket.end();
  });
}

/** One request the application's server received. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Header lines as sent, names in the sender's spelling. */
  rawHeaders: string[];
  body: Buffer;
  /** The request rebuilt as it came over the wire (request line, headers, body). */
  wire(): Buffer;
}

export type Reply = { status: number; headers?: Record<string, string>; body?: Uint8Array };

/** An application's HTTP server: records requests and answers from a script (then `fallback`). */
export class AppServer {
  readonly received: Received[] = [];
  readonly script: Reply[] = [];
  fallback: Reply = { status: 204 };
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<AppServer> {
    let self: AppServer | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const rawHeaders = req.rawHeaders;
        const method = req.method ?? '';
        const url = req.url ?? '';
        self!.received.push({
          method,
          url,
          headers: req.headers,
          rawHeaders,
          body,
          wire() {
            let head = `${method} ${url} HTTP/1.1\r\n`;
            for (let i = 0; i < rawHeaders.length; i += 2) head += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
            return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]);
          },
        });
        const reply = self!.script.shift() ?? self!.fallback;
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? undefined);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new AppServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// --- tshark ---------------------------------------------------------------------------------

type Layer = Record<string, unknown>;

/** What Wireshark read from one HTTP request: its HTTP and MMSE layers, and whether it found it malformed. */
export interface Dissected {
  http: Layer;
  mmse: Layer;
  malformed: boolean;
  /** The value(s) of an MMSE field, anywhere in the layer. */
  field(name: string): string[];
}

function collect(node: unknown, name: string, out: string[]): void {
  if (node === null || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node as Layer)) {
    if (k === name) for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') out.push(x);
    if (Array.isArray(v)) for (const x of v) collect(x, name, out);
    else collect(v, name, out);
  }
}

/**
 * Dissects a whole HTTP request with tshark (guard the test with `requireSystem('tshark')`): the
 * bytes go over a TCP connection to port 80, which Wireshark reads as HTTP; an
 * application/vnd.wap.mms-message body is then MMSE.
 */
export function dissectHttp(wire: Buffer): Dissected {
  return withPcap(tcpPcap([wire]), (file) => {
    // Without duplicate keys: the tests match on the plain JSON of the layers.
    const out = tshark(file, { filter: 'http' }, ['-T', 'json', '--no-duplicate-keys']);
    const packets = JSON.parse(out) as Array<{ _source: { layers: Layer } }>;
    const layers = packets[0]!._source.layers;
    const mmse = (layers.mmse ?? {}) as Layer;
    return {
      http: (layers.http ?? {}) as Layer,
      mmse,
      malformed: '_ws.malformed' in layers || JSON.stringify(layers).includes('_ws.malformed'),
      field(name: string) {
        const out: string[] = [];
        collect(mmse, name, out);
        return out;
      },
    };
  });
}

/**
 * Dissects a request (as `dissectHttp`) and asserts Wireshark reads a well-formed MMSE `pdu` with
 * each of `fields` (names without the `mmse.` prefix) holding exactly the values given.
 */
export function assertMmse(wire: Buffer, pdu: string, fields: Record<string, string[]>): Dissected {
  const d = dissectHttp(wire);
  assert.equal(d.malformed, false, JSON.stringify(d.mmse));
  for (const [name, values] of Object.entries(fields)) assert.deepEqual(d.field(`mmse.${name}`), values, `${pdu}: mmse.${name}`);
  return d;
}
