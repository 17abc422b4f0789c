import type { Address, Origin } from '@openmmsc/core';
import type { ListOptions } from './options.js';

/** Which rule of an allow or block list matches the sender (a number, prefix, domain, VASP or peer), if any. */
export function matchesList(list: ListOptions, address: Address, origin: Origin): string | undefined {
  const v = address.value;
  if (address.type === 'plmn' || address.type === 'shortcode') {
    if (list.numbers.includes(v)) return `number ${v}`;
    const prefix = list.prefixes.find((p) => v.startsWith(p));
    if (prefix) return `prefix ${prefix}`;
  }
  if (address.type === 'email') {
    const domain = v.slice(v.lastIndexOf('@') + 1);
    const d = list.domains.find((x) => domain === x.toLowerCase() || domain.endsWith(`.${x.toLowerCase()}`));
    if (d) return `domain ${d}`;
  }
  const vasp = origin.attributes?.vaspId;
  if (vasp !== undefined && list.vasps.includes(String(vasp))) return `VASP ${vasp}`;
  if (origin.peer && list.peers.includes(origin.peer)) return `peer ${origin.peer}`;
  return undefined;
}
