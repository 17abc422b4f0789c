/** What one SMTP transaction came to, told apart the way a sender must act on it (RFC 5321 §4.2.1). */

export type SendOutcome =
  | { status: 'sent'; response: string; host: string; messageId?: string }
  /** A 4xx reply (`code` set), connection, TLS or DNS trouble (no `code`): try again later. */
  | { status: 'retry'; reason: string; code?: number }
  /** A 5xx reply: the host refused for good. */
  | { status: 'refused'; code: number; reason: string };

/** What nodemailer reports for a message it handed over. */
export interface SentInfo {
  response: string;
  messageId?: string;
  rejected?: unknown[];
  rejectedErrors?: Array<{ responseCode?: number }>;
}

/** A handed-over message; some recipients refused (nodemailer goes on with the others) is a refusal. */
export function sentOutcome(host: string, info: SentInfo): SendOutcome {
  const rejected = (info.rejected ?? []).length;
  if (rejected > 0) {
    const code = info.rejectedErrors?.find((e) => typeof e.responseCode === 'number')?.responseCode ?? 550;
    return { status: 'refused', code, reason: `${host} refused ${rejected} recipient(s): ${info.response}` };
  }
  return { status: 'sent', response: info.response, host, ...(info.messageId ? { messageId: info.messageId } : {}) };
}

/**
 * A failed attempt: 5xx is final, everything else (4xx, no answer at all) is worth another try.
 * TLS that fails (STARTTLS refused, even with 5xx, or a certificate not trusted) is the sending
 * side's policy meeting the host's setup, not a verdict on the message: deferred, as Postfix does.
 */
export function failedOutcome(host: string, error: unknown): SendOutcome {
  const e = error as Error & { responseCode?: number; response?: string; code?: string };
  if (e.code === 'ETLS') return { status: 'retry', reason: `${host}: TLS not available: ${e.response ?? e.message}` };
  const text = `${host}: ${e.response ?? e.message}`;
  if (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600) return { status: 'refused', code: e.responseCode, reason: text };
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) return { status: 'retry', code: e.responseCode, reason: text };
  return { status: 'retry', reason: text };
}
