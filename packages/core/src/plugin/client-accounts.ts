import { createHash, timingSafeEqual } from 'node:crypto';
import { addressKey, type Address } from '../model/address.js';
import type { Report } from '../services/report-sender.js';
import type { StoredMessage } from '../services/message-store.js';
import { TokenBucket } from '../util/token-bucket.js';
import { SourceAddresses } from './source-addresses.js';

/** What every account of a client interface is configured with (see `clientAccountFields`). */
export interface ClientAccountOptions {
  readonly id: string;
  readonly username?: string | undefined;
  readonly password: string;
  readonly allowedIps: readonly string[];
  readonly shortCodes: readonly string[];
  readonly senderAddresses: readonly string[];
  readonly addresses: readonly string[];
  readonly defaultSender?: string | undefined;
  readonly throughput: number;
  readonly burst?: number | undefined;
}

/** Parses an address as the MMSC reads it (`ctx.mmsc.parseAddress`). */
export type ParseAddress = (raw: string) => Address;

/**
 * A configured short code is a short code even when it has more digits than the kernel's
 * short-code length (which would make `parseAddress` read it as an international number).
 */
export function configuredAddress(raw: string, parse: ParseAddress): Address {
  const value = raw.trim();
  if (/^\d{1,10}$/.test(value)) {
    const parsed = parse(value);
    return parsed.type === 'shortcode' ? parsed : { type: 'shortcode', value };
  }
  return parse(value);
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * One client of a client interface (an MM7 VASP, an EAIF application): who it is, where it may
 * connect from, what it may send as, what is delivered to it, how fast it may submit.
 */
export class ClientAccount<Options extends ClientAccountOptions = ClientAccountOptions> {
  readonly id: string;
  readonly username: string;
  /** addressKey of every address it may send as. */
  readonly senders: ReadonlySet<string>;
  /** The addresses whose messages are delivered to it. */
  readonly claims: readonly Address[];
  readonly defaultSender: Address | undefined;
  /** Submissions per second (an in-process bucket: per node in a cluster). */
  readonly rate: TokenBucket;
  private readonly sources: SourceAddresses;
  private readonly passwordHash: Buffer;

  constructor(
    readonly options: Options,
    parse: ParseAddress,
    now: () => number,
  ) {
    this.id = options.id;
    this.username = options.username ?? options.id;
    this.passwordHash = sha256(options.password);
    this.sources = new SourceAddresses(options.allowedIps);
    this.claims = [...options.shortCodes, ...options.addresses].map((a) => configuredAddress(a, parse));
    this.senders = new Set([...options.shortCodes, ...options.senderAddresses].map((a) => addressKey(configuredAddress(a, parse))));
    const fallback = options.defaultSender ?? options.shortCodes[0] ?? options.senderAddresses[0];
    this.defaultSender = fallback === undefined ? undefined : configuredAddress(fallback, parse);
    this.rate = new TokenBucket(options.throughput, options.burst ?? Math.max(1, Math.ceil(options.throughput)), now);
  }

  passwordMatches(password: string): boolean {
    return timingSafeEqual(sha256(password), this.passwordHash);
  }

  connectsFrom(ip: string): boolean {
    return this.sources.allows(ip);
  }
}

/** How a registry names its accounts in config errors and logs. */
export interface ClientAccountsLabels {
  /** The config list, e.g. `vasps`. */
  readonly list: string;
  /** What an id is called, e.g. `VASPID`. */
  readonly id: string;
  /** One account in a sentence, e.g. `a VASP`. */
  readonly one: string;
}

/** Every account of a client interface, by id, by user name and by the addresses delivered to it. */
export class ClientAccounts<Account extends ClientAccount<ClientAccountOptions>> {
  private readonly byId = new Map<string, Account>();
  private readonly byUser = new Map<string, Account>();
  private readonly byAddress = new Map<string, Account>();

  /** Throws on an id or user name listed twice and on an address two accounts claim. */
  constructor(
    readonly all: readonly Account[],
    private readonly labels: ClientAccountsLabels,
  ) {
    for (const account of all) {
      if (this.byId.has(account.id)) throw new Error(`${labels.list}: ${labels.id} ${account.id} is listed twice`);
      if (this.byUser.has(account.username)) throw new Error(`${labels.list}: user name ${account.username} is used twice`);
      this.byId.set(account.id, account);
      this.byUser.set(account.username, account);
      for (const address of account.claims) {
        const key = addressKey(address);
        const other = this.byAddress.get(key);
        if (other) throw new Error(`${labels.list}: ${address.value} is claimed by both ${other.id} and ${account.id}`);
        this.byAddress.set(key, account);
      }
    }
  }

  get(id: string): Account | undefined {
    return this.byId.get(id);
  }

  withUsername(username: string): Account | undefined {
    return this.byUser.get(username);
  }

  /** The account messages to this address are delivered to. */
  owner(address: Address): Account | undefined {
    return this.byAddress.get(addressKey(address));
  }

  /**
   * The account a report on `message` goes back to: the one that submitted it
   * (`origin.attributes.vaspId`), when it is still configured and the message asked for this kind
   * of report.
   */
  reportee(report: Report, message: StoredMessage, log: { warn(msg: string): void }): Account | undefined {
    const id = message.origin.attributes?.vaspId;
    const account = typeof id === 'string' ? this.get(id) : undefined;
    if (!account) {
      log.warn(`report for ${this.labels.one} that is no longer configured; not sent`);
      return undefined;
    }
    const asked = report.kind === 'delivery' ? message.headers.deliveryReport : message.headers.readReport;
    return asked ? account : undefined;
  }
}
