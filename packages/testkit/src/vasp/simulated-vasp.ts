import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MmsPart } from '@openmmsc/core';
import {
  DEFAULT_DIALECT,
  LATEST_RELEASE,
  RELEASES,
  Mm7Client,
  Mm7DecodeError,
  RESPONSE_OF,
  decodeMm7,
  partsFromContent,
  statusText,
  writeEnvelope,
  type Dialect,
  type Mm7Body,
  type Mm7ClientOptions,
  type Mm7Request,
  type Release,
} from '@openmmsc/mm7';

/** One request the simulated VASP received from the MMSC. */
export interface VaspReceived {
  type: Mm7Request['type'];
  body: Mm7Request;
  release: Release;
  version: string | undefined;
  transactionId: string | undefined;
  /** Content of a DeliverReq, as MMS parts. */
  parts: MmsPart[];
  /** The SOAP envelope as received. */
  xml: string;
  headers: IncomingHttpHeaders;
}

/** How the VASP answers a request: a status code (1000 = success) and optional HTTP status. */
export interface VaspAnswer {
  code: number;
  text?: string;
  httpStatus?: number;
  retryAfterSeconds?: number;
}

export interface SimulatedVaspOptions {
  /** Credentials the MMSC must present (HTTP Basic); none: no check. */
  username?: string;
  password?: string;
  /** Spelling of our answers (default `env:` / `mm7:`). */
  dialect?: Partial<Dialect>;
  /** Decides the answer per request (default: 1000 Success). */
  respond?: (received: VaspReceived) => VaspAnswer | undefined;
  host?: string;
}

/**
 * A simulated VASP (content provider): an HTTP server that takes DeliverReq, DeliveryReportReq
 * and ReadReplyReq from the MMSC and answers them in the release they came in, plus an MM7
 * client for SubmitReq / CancelReq / ReplaceReq. Everything it receives and sends is recorded.
 */
export class SimulatedVasp {
  readonly received: VaspReceived[] = [];
  /** Every SOAP envelope this VASP wrote as an answer. */
  readonly answers: string[] = [];
  /** Requests refused before decoding (bad credentials, unreadable). */
  readonly refused: Array<{ reason: string; headers: IncomingHttpHeaders }> = [];
  url = '';
  private server: Server | undefined;
  private failures: VaspAnswer[] = [];
  private readonly clients: Mm7Client[] = [];

  constructor(private readonly options: SimulatedVaspOptions = {}) {}

  static async start(options: SimulatedVaspOptions = {}): Promise<SimulatedVasp> {
    const vasp = new SimulatedVasp(options);
    await vasp.listen();
    return vasp;
  }

  /** The next `count` requests get `answer` (for example 4006 with HTTP 503) instead of success. */
  failNext(count: number, answer: VaspAnswer = { code: 4006, httpStatus: 503 }): void {
    for (let i = 0; i < count; i++) this.failures.push(answer);
  }

  deliveries(): VaspReceived[] {
    return this.received.filter((r) => r.type === 'DeliverReq');
  }

  deliveryReports(): VaspReceived[] {
    return this.received.filter((r) => r.type === 'DeliveryReportReq');
  }

  readReplies(): VaspReceived[] {
    return this.received.filter((r) => r.type === 'ReadReplyReq');
  }

  /** An MM7 client of this VASP towards an MMSC (SubmitReq, CancelReq, ReplaceReq). */
  client(options: Mm7ClientOptions): Mm7Client {
    const c = new Mm7Client(options);
    this.clients.push(c);
    return c;
  }

  private async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answer = this.answer(req.headers, Buffer.concat(chunks));
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, this.options.host ?? '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://${this.options.host ?? '127.0.0.1'}:${port}/mm7`;
  }

  private answer(headers: IncomingHttpHeaders, body: Buffer): { status: number; headers: Record<string, string>; body: string } {
    const xmlHeaders = { 'content-type': 'text/xml; charset="utf-8"' };
    if (this.options.password !== undefined) {
      const expected = `Basic ${Buffer.from(`${this.options.username ?? ''}:${this.options.password}`).toString('base64')}`;
      if (headers.authorization !== expected) {
        this.refused.push({ reason: 'bad credentials', headers });
        return { status: 401, headers: { 'www-authenticate': 'Basic realm="VASP"' }, body: '' };
      }
    }
    let decoded;
    try {
      decoded = decodeMm7(headers['content-type'], body);
    } catch (error) {
      this.refused.push({ reason: (error as Error).message, headers });
      const code = error instanceof Mm7DecodeError ? error.status : 2007;
      return { status: 500, headers: xmlHeaders, body: this.fault(code, (error as Error).message) };
    }
    const env = decoded.envelope;
    const request = env.body as Mm7Request | undefined;
    if (!request || !(request.type in RESPONSE_OF)) {
      this.refused.push({ reason: `not a request: ${env.bodyType}`, headers });
      return { status: 500, headers: xmlHeaders, body: this.fault(4003, `${env.bodyType} is not a request`, env.release) };
    }
    const received: VaspReceived = {
      type: request.type,
      body: request,
      release: env.release,
      version: env.version,
      transactionId: env.transactionId,
      parts: partsFromContent(decoded.content).parts,
      xml: decoded.xml,
      headers,
    };
    this.received.push(received);
    const verdict = this.failures.shift() ?? this.options.respond?.(received) ?? { code: 1000 };
    const status = { code: verdict.code, text: verdict.text ?? statusText(verdict.code) };
    const dialect = { ...DEFAULT_DIALECT, ...this.options.dialect };
    const base = { release: env.release, dialect, ...(env.transactionId ? { transactionId: env.transactionId } : {}), ...(env.version ? { version: env.version } : {}) };
    let out: Mm7Body | { type: 'Fault'; fault: { faultcode: string; faultstring: string; detail: { type: 'VASPErrorRsp'; status: typeof status } } };
    if (verdict.code >= 2000 && verdict.httpStatus !== undefined && verdict.httpStatus >= 500) {
      out = { type: 'Fault', fault: { faultcode: verdict.code >= 3000 && verdict.code < 4000 ? 'Server' : 'Client', faultstring: status.text, detail: { type: 'VASPErrorRsp', status } } };
    } else {
      out = { type: RESPONSE_OF[request.type], status } as Mm7Body;
    }
    const xml = writeEnvelope({ ...base, body: out });
    this.answers.push(xml);
    const responseHeaders: Record<string, string> = { ...xmlHeaders };
    if (verdict.retryAfterSeconds !== undefined) responseHeaders['retry-after'] = String(verdict.retryAfterSeconds);
    return { status: verdict.httpStatus ?? 200, headers: responseHeaders, body: xml };
  }

  private fault(code: number, text: string, release: Release = RELEASES[LATEST_RELEASE]): string {
    const status = { code, text: statusText(code) };
    const xml = writeEnvelope({
      release,
      dialect: { ...DEFAULT_DIALECT, ...this.options.dialect },
      transactionId: 'vasp-error',
      body: { type: 'Fault', fault: { faultcode: 'Client', faultstring: text, detail: { type: 'VASPErrorRsp', status } } },
    });
    this.answers.push(xml);
    return xml;
  }

  async stop(): Promise<void> {
    for (const c of this.clients) await c.close().catch(() => undefined);
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
