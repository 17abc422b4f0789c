import { certificateMatches, ClientAccount, ClientAccounts, type ParseAddress, type PresentedCertificate } from '@openmmsc/core';
import type { VaspOptions } from './options.js';

/** One VASP: a client account that may also be held to VASIDs and a TLS client certificate. */
export class VaspAccount extends ClientAccount<VaspOptions> {
  allowsVasId(vasId: string | undefined): boolean {
    return this.options.vasIds.length === 0 || (vasId !== undefined && this.options.vasIds.includes(vasId));
  }
}

/** Every VASP, by VASPID, by user name and by the addresses delivered to it. */
export class Accounts extends ClientAccounts<VaspAccount> {
  constructor(options: readonly VaspOptions[], parse: ParseAddress, now: () => number) {
    super(
      options.map((o) => new VaspAccount(o, parse, now)),
      { list: 'vasps', id: 'VASPID', one: 'a VASP' },
    );
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
    account = accounts.withUsername(creds.user);
    if (!account || !account.passwordMatches(creds.password)) return { ok: false, reason: 'bad-credentials' };
    if (cache.size >= 1000) cache.clear();
    cache.set(authorization!, account);
  }
  if (!account.connectsFrom(ip)) return { ok: false, reason: 'address-not-allowed', account };
  const rule = account.options.clientCertificate;
  if (rule && !certificateMatches(rule, certificate)) return { ok: false, reason: 'certificate-required', account };
  return { ok: true, account };
}
