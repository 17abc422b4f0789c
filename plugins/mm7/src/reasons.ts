import type { ReasonCode } from '@openmmsc/core';
import type { Mm7StatusCode } from '@openmmsc/mm7';

/** Kernel reason codes (rejections) in MM7 terms. */
const REJECT_STATUS: Record<ReasonCode, Mm7StatusCode> = {
  'service-denied': 4007,
  'format-corrupt': 2007,
  'sending-address-unresolved': 2002,
  'address-unresolved': 2002,
  'message-not-found': 2005,
  'network-problem': 3001,
  'content-not-accepted': 2004,
  'unsupported-message': 2004,
  'size-exceeded': 2004,
  'too-many-recipients': 2001,
  'insufficient-credit': 4007,
  'limit-exceeded': 2001,
  spam: 3002,
  virus: 2004,
  'no-route': 2003,
  'internal-error': 3000,
};

/** The MM7 status for a kernel rejection (`deferred` answers are always 4006, "try later"). */
export function statusForReason(code: ReasonCode, kind: 'reject' | 'defer' = 'reject'): Mm7StatusCode {
  if (kind === 'defer') return 4006;
  return REJECT_STATUS[code] ?? 3000;
}

/** An MM7 status received from a peer, in the kernel's vocabulary. */
export function reasonForStatus(code: number): ReasonCode {
  switch (code) {
    case 2002:
      return 'address-unresolved';
    case 2003:
      return 'no-route';
    case 2004:
      return 'content-not-accepted';
    case 2005:
    case 2006:
      return 'message-not-found';
    case 2007:
      return 'format-corrupt';
    case 3002:
      return 'content-not-accepted';
    case 4001:
    case 4007:
    case 4008:
    case 2001:
      return 'service-denied';
    case 4006:
      return 'network-problem';
    default:
      return code >= 3000 && code < 4000 ? 'network-problem' : 'service-denied';
  }
}
