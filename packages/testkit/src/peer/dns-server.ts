import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import dnsPacket from 'dns-packet';

/** One record the test DNS server answers with. */
export type TestDnsRecord =
  | { type: 'NAPTR'; ttl?: number; order: number; preference: number; flags: string; service: string; regexp: string; replacement?: string }
  | { type: 'MX'; ttl?: number; preference: number; exchange: string }
  | { type: 'A'; ttl?: number; address: string }
  | { type: 'TXT'; ttl?: number; text: string };

/** What the server does for a name, besides answering with records. */
export type TestDnsBehaviour = 'answer' | 'servfail' | 'refused' | 'silent';

export interface TestDnsServerOptions {
  /** Records by owner name (case-insensitive, no trailing dot). Names not listed answer NXDOMAIN. */
  records?: Record<string, TestDnsRecord[]>;
  /** Per-name behaviour: `silent` never answers (a timeout), `servfail`/`refused` answer with that rcode. */
  behaviour?: Record<string, TestDnsBehaviour>;
  /** Delay every answer by this many milliseconds. */
  delayMs?: number;
}

export interface TestDnsQuery {
  name: string;
  type: string;
  at: number;
}

/**
 * A small authoritative DNS server over UDP on 127.0.0.1 (dns-packet over a dgram socket), for
 * ENUM (NAPTR) and MX tests against a real resolver. Records and behaviours may be changed while
 * it runs; every question is recorded in `queries`.
 */
export class TestDnsServer {
  readonly queries: TestDnsQuery[] = [];
  records: Map<string, TestDnsRecord[]>;
  behaviour: Map<string, TestDnsBehaviour>;
  delayMs: number;
  private socket: Socket | undefined;
  private port = 0;

  constructor(options: TestDnsServerOptions = {}) {
    this.records = new Map(Object.entries(options.records ?? {}).map(([k, v]) => [normalise(k), v]));
    this.behaviour = new Map(Object.entries(options.behaviour ?? {}).map(([k, v]) => [normalise(k), v]));
    this.delayMs = options.delayMs ?? 0;
  }

  /** `127.0.0.1:PORT`, for `Resolver.setServers`. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  set(name: string, records: TestDnsRecord[]): void {
    this.records.set(normalise(name), records);
  }

  setBehaviour(name: string, behaviour: TestDnsBehaviour): void {
    this.behaviour.set(normalise(name), behaviour);
  }

  /** Questions received for a name (any type). */
  count(name: string): number {
    const n = normalise(name);
    return this.queries.filter((q) => q.name === n).length;
  }

  async start(port = 0): Promise<this> {
    const socket = createSocket('udp4');
    socket.on('message', (msg, rinfo) => void this.onMessage(msg, rinfo));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.socket = socket;
    this.port = socket.address().port;
    return this;
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private async onMessage(msg: Buffer, rinfo: RemoteInfo): Promise<void> {
    let query: ReturnType<typeof dnsPacket.decode>;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = normalise(question.name);
    this.queries.push({ name, type: question.type, at: Date.now() });
    const behaviour = this.behaviour.get(name) ?? 'answer';
    if (behaviour === 'silent') return;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const records = this.records.get(name);
    let rcode: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' = 'NOERROR';
    if (behaviour === 'servfail') rcode = 'SERVFAIL';
    else if (behaviour === 'refused') rcode = 'REFUSED';
    else if (!records) rcode = 'NXDOMAIN';
    const answers = behaviour === 'answer' && records ? records.filter((r) => r.type === question.type).map((r) => toAnswer(question.name, r)) : [];
    const response = dnsPacket.encode({
      id: query.id ?? 0,
      type: 'response',
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED | rcodeFlag(rcode),
      questions: [question],
      answers,
    });
    this.socket?.send(response, rinfo.port, rinfo.address);
  }
}

function rcodeFlag(rcode: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED'): number {
  return { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 }[rcode];
}

function toAnswer(name: string, r: TestDnsRecord): dnsPacket.Answer {
  const ttl = r.ttl ?? 60;
  switch (r.type) {
    case 'NAPTR':
      return {
        type: 'NAPTR',
        name,
        ttl,
        class: 'IN',
        data: { order: r.order, preference: r.preference, flags: r.flags, services: r.service, regexp: r.regexp, replacement: r.replacement ?? '' },
      };
    case 'MX':
      return { type: 'MX', name, ttl, class: 'IN', data: { preference: r.preference, exchange: r.exchange } };
    case 'A':
      return { type: 'A', name, ttl, class: 'IN', data: r.address };
    case 'TXT':
      return { type: 'TXT', name, ttl, class: 'IN', data: r.text };
  }
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** Starts a test DNS server on 127.0.0.1 and a random UDP port. */
export function startDnsServer(options: TestDnsServerOptions = {}): Promise<TestDnsServer> {
  return new TestDnsServer(options).start();
}

/** The ENUM owner name of an E.164 number: `+4930123` → `3.2.1.0.3.9.4.e164.arpa`. */
export function enumDomain(e164: string, suffix = 'e164.arpa'): string {
  const digits = e164.replace(/\D/g, '');
  return `${[...digits].reverse().join('.')}.${suffix.replace(/^\.|\.$/g, '')}`;
}
