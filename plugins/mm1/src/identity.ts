import type { BlockList } from 'node:net';
import { ipAllowed, ipList, type Address } from '@openmmsc/core';

/** Who is asking: the MSISDN the WAP gateway vouches for, or why there is none. */
export type Identity = { kind: 'trusted'; address: Address } | { kind: 'none'; why: string };

/** Decides whether a request's identity header can be believed (it came from a WAP gateway). */
export class IdentityResolver {
  private readonly gateways: BlockList;
  private readonly headers: readonly string[];

  constructor(
    trustedGateways: readonly string[],
    headers: readonly string[],
    private readonly parse: (raw: string) => Address,
  ) {
    this.headers = headers.map((h) => h.toLowerCase());
    try {
      this.gateways = ipList(trustedGateways);
    } catch (error) {
      throw new Error(`identity.trustedGateways: ${(error as Error).message}`);
    }
  }

  isGateway(remote: string | undefined): boolean {
    return remote !== undefined && ipAllowed(this.gateways, remote);
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
