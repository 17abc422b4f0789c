/** What became of one recipient of a campaign. */
export interface RecipientOutcome {
  address: string;
  accepted: boolean;
  /** The status in the submitting interface's words (`1000 accepted`, `4006 service-denied: …`). */
  status: string;
  messageId?: string;
}

/** What one submission of a batch answered. */
export interface BatchAnswer {
  /** The submission as a whole was accepted (some recipients may still be refused in `details`). */
  accepted: boolean;
  /** The answer's own status: for an accepted batch the recipients' default, else its reason. */
  status: string;
  messageId?: string;
  /** Per-recipient statuses the answer carried (refusals, or each recipient's reason of a refused batch). */
  details?: ReadonlyArray<{ address: string; status: string; accepted?: boolean }>;
}

/**
 * Each recipient of a batch with its own outcome. A refused batch's overall status is only the
 * reason the answer led with (MM7 puts the first recipient's there); a recipient the answer
 * names in `details` gets its own reason, and only the others fall back to the overall one.
 */
export function batchOutcomes(batch: readonly string[], answer: BatchAnswer): RecipientOutcome[] {
  const own = new Map<string, { status: string; accepted?: boolean }>();
  for (const d of answer.details ?? []) own.set(normal(d.address), d);
  return batch.map((address) => {
    const d = own.get(normal(address));
    const accepted = d ? (d.accepted ?? false) : answer.accepted;
    const outcome: RecipientOutcome = { address, accepted, status: d?.status ?? answer.status };
    if (accepted && answer.messageId) outcome.messageId = answer.messageId;
    return outcome;
  });
}

/** Answers name recipients in their own normal form (`+` kept, type suffixes and case dropped). */
function normal(address: string): string {
  return address.replace(/\/TYPE=.*$/i, '').trim().toLowerCase();
}
