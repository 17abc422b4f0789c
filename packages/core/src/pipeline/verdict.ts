/**
 * What a stage handler answers. Ingress interfaces map a reason's `code` to their own terms
 * (m-send-conf response status, MM7 status code, SMTP reply, MM4 request status).
 */
export type ReasonCode =
  | 'service-denied'
  | 'format-corrupt'
  | 'sending-address-unresolved'
  | 'address-unresolved'
  | 'message-not-found'
  | 'network-problem'
  | 'content-not-accepted'
  | 'unsupported-message'
  | 'size-exceeded'
  | 'too-many-recipients'
  | 'insufficient-credit'
  | 'limit-exceeded'
  | 'spam'
  | 'virus'
  | 'no-route'
  | 'internal-error';

export interface Reason {
  code: ReasonCode;
  /** Human-readable, safe to show to the sender. */
  message: string;
}

export interface ContinueVerdict {
  kind: 'continue';
}
export interface RejectVerdict {
  kind: 'reject';
  reason: Reason;
}
export interface DeferVerdict {
  kind: 'defer';
  reason: Reason;
  /** Hint for when to try again. */
  retryAfterMs?: number;
}
/** One verdict per recipient, keyed by `addressKey(recipient.address)`; unlisted ones continue. */
export interface PerRecipientVerdict {
  kind: 'per-recipient';
  verdicts: ReadonlyMap<string, ContinueVerdict | RejectVerdict | DeferVerdict>;
}

export type Verdict = ContinueVerdict | RejectVerdict | DeferVerdict | PerRecipientVerdict;

const CONTINUE: ContinueVerdict = Object.freeze({ kind: 'continue' });

export const verdict = {
  continue(): ContinueVerdict {
    return CONTINUE;
  },
  reject(code: ReasonCode, message: string): RejectVerdict {
    return { kind: 'reject', reason: { code, message } };
  },
  defer(code: ReasonCode, message: string, retryAfterMs?: number): DeferVerdict {
    return retryAfterMs === undefined
      ? { kind: 'defer', reason: { code, message } }
      : { kind: 'defer', reason: { code, message }, retryAfterMs };
  },
  perRecipient(
    verdicts: Iterable<[string, ContinueVerdict | RejectVerdict | DeferVerdict]>,
  ): PerRecipientVerdict {
    return { kind: 'per-recipient', verdicts: new Map(verdicts) };
  },
};
