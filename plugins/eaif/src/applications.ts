import { createHash, timingSafeEqual } from 'node:crypto';
import { addressKey, TokenBucket, type Address } from '@openmmsc/core';
import type { ApplicationOptions } from './options.js';
import { SourceAddresses } from './source-addresses.js';

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * A configured short code is a short code even when it has more digits than the kernel's
 * short-code length (which would make `parseAddress` read it as an international number).
 */
export function configuredAddress(raw: string, parse: (raw: string) => Address): Address {
  const value = raw.trim();
  if (/^\d{1,10}$/.test(value)) {
    const parsed = parse(value);
    if (parsed.type !== 'shortcode') return { type: 'shortcode', value };
    return parsed;
  }
  return parse(value);
}

/** One EAIF application: who it is, what it may send as, what is delivered to it, its limits. */
export class Application {
  readonly id: string;
  readonly username: string;
  readonly options: ApplicationOptions;
  /** Submissions per second (an in-process bucket: per node in a cluster). */
  readonly rate: TokenBucket;
  readonly defaultSender: Address | undefined;
  /** addressKey of each address it may send as. */
  private readonly senders: ReadonlySet<string>;
  /** Digits of its short codes, to recognise them however a PDU types them. */
  private readonly shortCodes: ReadonlySet<string>;
  private readonly sources: SourceAddresses;
  private readonly passwordHash: Buffer;

  constructor(options: ApplicationOptions, parse: (raw: string) => Address, now: () => number) {
    this.options = options;
    this.id = options.id;
    this.username = options.username ?? options.id;
    this.passwordHash = sha256(options.password);
    this.sources = new SourceAddresses(options.allowedIps);
    this.shortCodes = new Set(options.shortCodes.map((s) => s.trim()));
    this.senders = new Set([...options.shortCodes, ...options.senderAddresses].map((a) => addressKey(configuredAddress(a, parse))));
    const fallback = options.defaultSender ?? options.shortCodes[0] ?? options.senderAddresses[0];
    this.defaultSender = fallback === undefined ? undefined : configuredAddress(fallback, parse);
    this.rate = new TokenBucket(options.throughput, options.burst ?? Math.max(1, Math.ceil(options.throughput)), now);
  }

  /** Addresses whose messages are delivered to it. */
  claims(parse: (raw: string) => Address): Address[] {
    return [...this.options.shortCodes, ...this.options.addresses].map((a) => configuredAddress(a, parse));
  }

  passwordMatches(password: string): boolean {
    return timingSafeEqual(sha256(password), this.passwordHash);
  }

  connectsFrom(ip: string): boolean {
    return this.sources.allows(ip);
  }

  /**
   * The sender address as this application's own, or undefined when it may not use it. A number
   * written as `12345678/TYPE=PLMN` is one of its short codes when the digits are.
   */
  ownSender(address: Address): Address | undefined {
    if (this.senders.has(addressKey(address))) return address;
    const digits = address.type === 'plmn' ? address.value.replace(/^\+/, '') : undefined;
    if (digits && this.shortCodes.has(digits)) return { type: 'shortcode', value: digits };
    return undefined;
  }
}

/** Every application, by id, by user name and by the addresses delivered to it. */
export class Applications {
  readonly all: readonly Application[];
  private readonly byId = new Map<string, Application>();
  private readonly byUser = new Map<string, Application>();
  private readonly byAddress = new Map<string, Application>();

  constructor(options: readonly ApplicationOptions[], parse: (raw: string) => Address, now: () => number) {
    this.all = options.map((o) => new Application(o, parse, now));
    for (const app of this.all) {
      if (this.byId.has(app.id)) throw new Error(`applications: id ${app.id} is listed twice`);
      if (this.byUser.has(app.username)) throw new Error(`applications: user name ${app.username} is used twice`);
      this.byId.set(app.id, app);
      this.byUser.set(app.username, app);
      for (const address of app.claims(parse)) {
        const key = addressKey(address);
        const other = this.byAddress.get(key);
        if (other) throw new Error(`applications: ${address.value} is claimed by both ${other.id} and ${app.id}`);
        this.byAddress.set(key, app);
      }
    }
  }

  get(id: string): Application | undefined {
    return this.byId.get(id);
  }

  withUsername(username: string): Application | undefined {
    return this.byUser.get(username);
  }

  /** The application messages to this address are delivered to. */
  owner(address: Address): Application | undefined {
    return this.byAddress.get(addressKey(address));
  }
}

export type Authentication =
  | { ok: true; app: Application }
  | { ok: false; why: 'no-credentials' | 'bad-credentials' }
  | { ok: false; why: 'source-not-allowed'; app: Application };

/** HTTP Basic credentials, then the address the application connects from. */
export function authenticate(apps: Applications, authorization: string | undefined, ip: string): Authentication {
  const m = authorization ? /^\s*basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(authorization) : null;
  if (!m) return { ok: false, why: 'no-credentials' };
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { ok: false, why: 'no-credentials' };
  const app = apps.withUsername(decoded.slice(0, colon));
  if (!app || !app.passwordMatches(decoded.slice(colon + 1))) return { ok: false, why: 'bad-credentials' };
  if (!app.connectsFrom(ip)) return { ok: false, why: 'source-not-allowed', app };
  return { ok: true, app };
}
