import { sameAddress, type Address } from '@openmmsc/core';
import type { Identity } from './identity.js';
import type { Mm1Options } from './options.js';

/**
 * Who a fetch is from, as far as the MMSC can tell:
 * - `recipient`: a trusted WAP gateway vouches for the recipient's MSISDN; the fetch counts as
 *   the recipient's retrieval (state, billing, reports);
 * - `anonymous`: nobody vouches; served (the URL is an unguessable capability) but changes no
 *   recipient's state;
 * - `refused`: a gateway vouches for somebody else, or the configuration refuses anonymous fetches.
 */
export type FetchAccess = { as: 'recipient' } | { as: 'anonymous' } | { as: 'refused'; why: string };

/** The rule for content URLs (`/m/<token>`): only the recipient moves the recipient. */
export function contentAccess(identity: Identity, recipient: Address, untrusted: Mm1Options['retrieval']['untrusted']): FetchAccess {
  if (identity.kind === 'trusted') {
    return sameAddress(identity.address, recipient) ? { as: 'recipient' } : { as: 'refused', why: `${identity.address.value} is not the recipient of this message` };
  }
  return untrusted === 'serve-without-state' ? { as: 'anonymous' } : { as: 'refused', why: identity.why };
}

/**
 * The rule for links to original parts (`/o/…`): any party of the message (sender or a
 * recipient) as a gateway vouches; with `originals: 'link'` also anyone who presents no identity,
 * since a recipient opening the link in a phone browser has none to present.
 */
export function originalAccess(identity: Identity, parties: readonly Address[], originals: Mm1Options['retrieval']['originals']): FetchAccess {
  if (identity.kind === 'trusted') {
    return parties.some((p) => sameAddress(p, identity.address)) ? { as: 'recipient' } : { as: 'refused', why: `${identity.address.value} is not a party of this message` };
  }
  return originals === 'link' ? { as: 'anonymous' } : { as: 'refused', why: identity.why };
}
