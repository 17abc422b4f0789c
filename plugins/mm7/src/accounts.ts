import { timingSafeEqual, createHash } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { addressKey, certificateMatches, TokenBucket, type Address, type PresentedCertificate } from '@openmmsc/core';
import type { VaspOptions } from './options.js';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export class VaspAccount {
  readonly id: string;
  readonly username: string;
  readonly options: VaspOptions;
  /** addressKey of every sender it may use. */
  readonly senders: ReadonlySet<string>;
  /** addressKey of every address routed to it. */
  readonly claims: ReadonlySet<string>;
  readonly defaultSender: Address | undefined;
  readonly bucket: TokenBucket;
  private readonly passwordDigest: Buffer;
  private readonly allowList: BlockList | undefined;

  constructor(options: VaspOptions, parse: (raw: string) => Address, now: () => number) {
    this.options = options;
    this.id = options.id;
    this.username = options.username ?? options.id;
    this.passwordDigest = digest(options.password);
    const claimed = [...options.shortCodes, ...options.addresses].map((a) => shortCodeAware(a, parse));
    this.claims = new Set(claimed.map(addressKey));
    const senders = [...options.shortCodes, ...options.senderAddresses].map((a) => shortCodeAware(a, parse));
    this.senders = new Set(senders.map(addressKey));
    const first = options.defaultSender ?? options.shortCodes[0] ?? options.senderAddresses[0];
    this.defaultSender = first ? shortCodeAware(first, parse) : undefined;
    const rate = options.throughput;
    this.bucket = new TokenBucket(rate, options.burst ?? Math.max(1, Math.ceil(rate)), now);
    if (options.allowedIps.length) {
      const list = new BlockList();
      for (const entry of options.allowedIps) addToList(list, entry);
      this.allowList = list;
    }
  }

  checkPassword(password: string): boolean {
    return timingSafeEqual(digest(password), this.passwordDigest);
  }

  allowsIp(ip: string): boolean {
    if (!this.allowList) return true;
    const v4mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    const addr = v4mapped ? v4mapped[1]! : ip;
    const family = isIP(addr);
    if (!family) return false;
    return this.allowList.check(addr, family === 4 ? 'ipv4' : 'ipv6');
  }

  allowsVasId(vasId: string | undefined): boolean {
    return this.options.vasIds.length === 0 || (vasId !== undefined && this.options.vasIds.includes(vasId));
  }
}

function addToList(list: BlockList, entry: string): void {
  const [ip, bits] = entry.split('/');
  const family = isIP(ip ?? '');
  if (!family) throw new Error(`allowedIps: ${JSON.stringify(entry)} is not an IP address or CIDR range`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (bits === undefined) list.addAddress(ip!, type);
  else list.addSubnet(ip!, Number.parseInt(bits, 10), type);
}

/** Short codes in config are short codes even when longer than the kernel's short-code length. */
export function shortCodeAware(raw: string, parse: (raw: string) => Address): Address {
  const trimmed = raw.trim();
  if (/^\d{1,10}$/.test(trimmed)) {
    const parsed = parse(trimmed);
    return parsed.type === 'shortcode' ? parsed : { type: 'shortcode', value: trimmed };
  }
  return parse(trimmed);
}

export class Accounts {
  readonly all: readonly VaspAccount[];
  private readonly byUser = new Map<string, VaspAccount>();
  private readonly byId = new Map<string, VaspAccount>();
  private readonly byClaim = new Map<string, VaspAccount>();

  constructor(options: readonly VaspOptions[], parse: (raw: string) => Address, now: () => number) {
    this.all = options.map((o) => new VaspAccount(o, parse, now));
    for (const account of this.all) {
      if (this.byId.has(account.id)) throw new Error(`vasps: VASPID ${account.id} is listed twice`);
      if (this.byUser.has(account.username)) throw new Error(`vasps: user name ${account.username} is used twice`);
      this.byId.set(account.id, account);
      this.byUser.set(account.username, account);
      for (const claim of account.claims) {
        const other = this.byClaim.get(claim);
        if (other) throw new Error(`vasps: ${claim} is claimed by both ${other.id} and ${account.id}`);
        this.byClaim.set(claim, account);
      }
    }
  }

  get(id: string): VaspAccount | undefined {
    return this.byId.get(id);
  }

  byUsername(user: string): VaspAccount | undefined {
    return this.byUser.get(user);
  }

  owner(address: Address): VaspAccount | undefined {
    return this.byClaim.get(addressKey(address));
  }
}

/** Reads an `Authorization: Basic …` header. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  if (!header) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export type AuthOutcome =
  | { ok: true; account: VaspAccount }
  | { ok: false; reason: 'no-credentials' | 'bad-credentials' | 'address-not-allowed' | 'certificate-required'; account?: VaspAccount };

// Authorization headers already verified, so a busy VASP's password is not hashed per request.
const verified = new WeakMap<Accounts, Map<string, VaspAccount>>();

/**
 * HTTP Basic, then the source address, then (for a VASP held to one) the TLS client certificate:
 * credentials alone do not do when the account names its certificate, and another VASP's
 * certificate does not stand in for it.
 */
export function authenticate(accounts: Accounts, authorization: string | undefined, ip: string, certificate?: PresentedCertificate): AuthOutcome {
  let cache = verified.get(accounts);
  if (!cache) verified.set(accounts, (cache = new Map()));
  let account = authorization ? cache.get(authorization) : undefined;
  if (!account) {
    const creds = basicCredentials(authorization);
    if (!creds) return { ok: false, reason: 'no-credentials' };
    account = accounts.byUsername(creds.user);
    if (!account || !account.checkPassword(creds.password)) return { ok: false, reason: 'bad-credentials' };
    if (cache.size >= 1000) cache.clear();
    cache.set(authorization!, account);
  }
  if (!account.allowsIp(ip)) return { ok: false, reason: 'address-not-allowed', account };
  const rule = account.options.clientCertificate;
  if (rule && !certificateMatches(rule, certificate)) return { ok: false, reason: 'certificate-required', account };
  return { ok: true, account };
}
