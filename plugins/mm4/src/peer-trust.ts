/**
 * A peer MMSC is trusted for what it owns: originators in its domains (and, when configured,
 * its number ranges), and answers only to its own originator system.
 */
import type { Address } from '@openmmsc/core';
import type { PeerOptions } from './options.js';

/** `d` is one of `domains` or a subdomain of one. */
export function domainBelongs(d: string, domains: readonly string[]): boolean {
  const x = d.toLowerCase();
  return domains.some((o) => {
    const own = o.toLowerCase();
    return x === own || x.endsWith(`.${own}`);
  });
}

/** The peer's own domains: `domain` and `aliases`. */
export function ownDomains(peer: PeerOptions): string[] {
  return [peer.domain, ...peer.aliases];
}

/** `+16660000001` is in `+1666` or in `+16660000000-+16669999999`. */
export function inNumberRanges(value: string, ranges: readonly string[]): boolean {
  const digits = value.replace(/^\+/, '');
  return ranges.some((range) => {
    const [low, high] = range.split('-').map((x) => x.replace(/^\+/, '')) as [string, string | undefined];
    if (high === undefined) return digits.startsWith(low);
    return digits.length === low.length && digits >= low && digits <= high;
  });
}

export type Ownership = { owned: true } | { owned: false; reason: string };

/** May this peer name `address` (read from `From`, with the domain it carried) as originator? */
export function originatorOwnership(peer: PeerOptions, address: Address, domain: string | undefined): Ownership {
  const domains = [...ownDomains(peer), ...peer.originators.domains];
  if (domain !== undefined && !domainBelongs(domain, domains)) {
    return { owned: false, reason: `originator domain ${domain} does not belong to peer ${peer.domain}` };
  }
  const ranges = peer.originators.numbers;
  const isNumber = address.type === 'plmn' || address.type === 'shortcode';
  if (isNumber && ranges.length > 0 && !inNumberRanges(address.value, ranges)) {
    return { owned: false, reason: `originator ${address.value} is not in a number range of peer ${peer.domain}` };
  }
  if (domain === undefined && !(isNumber && ranges.length > 0)) {
    return { owned: false, reason: `originator ${address.value} has no domain and peer ${peer.domain} has no number ranges configured (peers[].originators.numbers)` };
  }
  return { owned: true };
}

/** Answers (MM4_*.RES) go only to the peer's own systems. */
export function isPeerSystem(peer: PeerOptions, address: string): boolean {
  const at = address.lastIndexOf('@');
  return at > 0 && domainBelongs(address.slice(at + 1), ownDomains(peer));
}
