/** Kernel refusals and our own as SMTP replies (RFC 5321 codes, RFC 3463 enhanced status codes), in one place. */
import type { Reason } from '@openmmsc/core';

/**
 * An SMTP reply for a refused command or message: thrown or passed to a callback, smtp-server
 * sends `responseCode` and the text (which starts with the enhanced status code).
 */
export class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'SmtpReply';
  }

  /** 4xx: the client should try again later. */
  get transient(): boolean {
    return this.responseCode >= 400 && this.responseCode < 500;
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

/** A message the kernel rejected (`submit` → `rejected`), as the reply to its DATA. */
export function rejectedReply(reason: Reason): SmtpReply {
  const { code, status } = smtpReplyFor(reason);
  return new SmtpReply(code, `${status} ${reason.message}`);
}

/** A message the kernel deferred (`submit` → `deferred`): the client keeps it and tries again. */
export function deferredReply(reason: Reason): SmtpReply {
  return new SmtpReply(451, `4.3.0 ${reason.message}; try again later`);
}

/** The kernel takes no new work now (`admit` refused): MAIL FROM is answered with this. */
export function notAdmittedReply(reason: Reason): SmtpReply {
  return new SmtpReply(451, `4.3.2 ${reason.message}`);
}

/** Our own replies, worded once. */
export const replies = {
  /** Something failed on our side that a later attempt may not meet. */
  temporaryFailure: () => new SmtpReply(451, '4.3.0 temporary failure; try again later'),
  tooLarge: (limit: number) => new SmtpReply(552, `5.3.4 message exceeds the size limit of ${limit} bytes`),
  tooManyRecipients: () => new SmtpReply(452, '4.5.3 too many recipients'),
  relayingDenied: (domain: string) => new SmtpReply(550, `5.7.1 relaying denied: ${domain || 'no domain'} is not served here`),
  authenticationFailed: () => new SmtpReply(535, '5.7.8 authentication failed'),
  authenticationUnavailable: () => new SmtpReply(535, '5.7.8 authentication not available'),
  authenticationRequired: () => new SmtpReply(530, '5.7.0 authentication required'),
  tlsRequired: () => new SmtpReply(530, '5.7.0 must issue a STARTTLS command first'),
  badSequence: () => new SmtpReply(503, '5.5.1 bad sequence of commands'),
} as const;
