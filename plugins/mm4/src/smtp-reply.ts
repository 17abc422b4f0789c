import type { Reason } from '@openmmsc/core';

/** An SMTP reply for a refused command or message. */
export class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'SmtpReply';
  }
}

/** The SMTP reply (code, enhanced status) for a kernel reason, after DATA. */
export function smtpReplyFor(reason: Reason): { code: number; status: string } {
  switch (reason.code) {
    case 'size-exceeded':
      return { code: 552, status: '5.3.4' };
    case 'address-unresolved':
    case 'no-route':
      return { code: 550, status: '5.1.1' };
    case 'sending-address-unresolved':
      return { code: 553, status: '5.1.7' };
    case 'service-denied':
      // RFC 5321: 550 is the policy refusal (relaying denied is the classic one).
      return { code: 550, status: '5.7.1' };
    case 'too-many-recipients':
      return { code: 452, status: '4.5.3' };
    case 'format-corrupt':
    case 'unsupported-message':
      return { code: 554, status: '5.6.0' };
    case 'network-problem':
    case 'internal-error':
      return { code: 451, status: '4.3.0' };
    case 'limit-exceeded':
      return { code: 450, status: '4.7.1' };
    default:
      return { code: 554, status: '5.7.1' };
  }
}
