import type { Address } from '@openmmsc/core';

/** `WAPPUSH=+15550000002/TYPE=PLMN@domain` (PAP address syntax, WAP-249-PPGService 7). */
export function papAddress(to: Address, domain: string): string | { error: string } {
  switch (to.type) {
    case 'plmn':
    case 'shortcode':
      return `WAPPUSH=${to.value}/TYPE=PLMN@${domain}`;
    case 'ipv4':
      return `WAPPUSH=${to.value}/TYPE=IPv4@${domain}`;
    case 'ipv6':
      return `WAPPUSH=${to.value}/TYPE=IPv6@${domain}`;
    default:
      return { error: `a PPG cannot push to ${to.type} address ${to.value}` };
  }
}
