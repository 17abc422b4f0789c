import { addressKey, ClientAccount, ClientAccounts, type Address, type ParseAddress } from '@openmmsc/core';
import type { ApplicationOptions } from './options.js';

/** One EAIF application: who it is, what it may send as, what is delivered to it, its limits. */
export class Application extends ClientAccount<ApplicationOptions> {
  /** Digits of its short codes, to recognise them however a PDU types them. */
  private readonly shortCodes = new Set(this.options.shortCodes.map((s) => s.trim()));

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
export class Applications extends ClientAccounts<Application> {
  constructor(options: readonly ApplicationOptions[], parse: ParseAddress, now: () => number) {
    super(
      options.map((o) => new Application(o, parse, now)),
      { list: 'applications', id: 'id', one: 'an EAIF application' },
    );
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
