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

/** How a stage (or one step of it) ends for the whole message: go on, refuse, or try later. */
export type StageOutcome = ContinueVerdict | RejectVerdict | DeferVerdict;

export const CONTINUE: ContinueVerdict = Object.freeze({ kind: 'continue' });

/**
 * The one verdict conversion: a hook's answer as the stage's outcome. Per-recipient verdicts go
 * to `perRecipient` (the submission stages take recipients out of play; a job, which runs for
 * one recipient, takes that recipient's entry as its outcome).
 */
export function stageOutcome(
  result: Verdict | void | undefined,
  perRecipient: (verdicts: PerRecipientVerdict['verdicts']) => StageOutcome,
): StageOutcome {
  if (!result || result.kind === 'continue') return CONTINUE;
  if (result.kind === 'per-recipient') return perRecipient(result.verdicts);
  if (result.kind === 'reject') return { kind: 'reject', reason: result.reason };
  return result.retryAfterMs === undefined ? { kind: 'defer', reason: result.reason } : { kind: 'defer', reason: result.reason, retryAfterMs: result.retryAfterMs };
}

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
