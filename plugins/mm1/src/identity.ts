import { BlockList, isIP } from 'node:net';
import type { Address } from '@openmmsc/core';

/** Who is asking: the MSISDN the WAP gateway vouches for, or why there is none. */
export type Identity = { kind: 'trusted'; address: Address } | { kind: 'none'; why: string };

/** Decides whether a request's identity header can be believed (it came from a WAP gateway). */
export class IdentityResolver {
  private readonly gateways = new BlockList();
  private readonly headers: readonly string[];

  constructor(
    trustedGateways: readonly string[],
    headers: readonly string[],
    private readonly parse: (raw: string) => Address,
  ) {
    this.headers = headers.map((h) => h.toLowerCase());
    for (const entry of trustedGateways) {
      const [ip, bits] = entry.split('/');
      const family = isIP(ip ?? '');
      if (!family) throw new Error(`identity.trustedGateways: ${entry} is not an IP address or CIDR block`);
      const type = family === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.gateways.addAddress(ip!, type);
      else this.gateways.addSubnet(ip!, Number(bits), type);
    }
  }

  isGateway(remote: string | undefined): boolean {
    if (!remote) return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
    if (mapped) return this.gateways.check(mapped[1]!, 'ipv4') || this.gateways.check(remote, 'ipv6');
    return this.gateways.check(remote, isIP(remote) === 6 ? 'ipv6' : 'ipv4');
  }

  resolve(remote: string | undefined, headers: Record<string, string | string[] | undefined>): Identity {
    if (!this.isGateway(remote)) return { kind: 'none', why: `request from ${remote ?? 'unknown'} is not from a trusted WAP gateway` };
    for (const name of this.headers) {
      const value = headers[name];
      const raw = Array.isArray(value) ? value[0] : value;
      if (!raw || !raw.trim()) continue;
      try {
        const address = this.parse(raw.trim());
        if (address.type !== 'plmn') return { kind: 'none', why: `${name} is not a phone number` };
        return { kind: 'trusted', address };
      } catch {
        return { kind: 'none', why: `${name} is not a valid MSISDN` };
      }
    }
    return { kind: 'none', why: `no ${this.headers.join(' / ')} header from the WAP gateway` };
  }
}
