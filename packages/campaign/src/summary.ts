import type { RecipientOutcome } from './outcome.js';

export interface CampaignSummary {
  recipients: number;
  requests: number;
  accepted: number;
  rejected: number;
  /** Recipients by status. */
  byStatus: Record<string, number>;
  seconds: number;
  /** Distinct message ids the accepted batches got. */
  messageIds: number;
}

export function summarize(outcomes: readonly RecipientOutcome[], requests: number, seconds: number): CampaignSummary {
  const byStatus: Record<string, number> = {};
  const ids = new Set<string>();
  let accepted = 0;
  for (const o of outcomes) {
    byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
    if (o.accepted) accepted++;
    if (o.messageId) ids.add(o.messageId);
  }
  return { recipients: outcomes.length, requests, accepted, rejected: outcomes.length - accepted, byStatus, seconds, messageIds: ids.size };
}

/** The per-recipient report as CSV (RFC 4180 quoting): address, outcome, status, message id. */
export function reportCsv(outcomes: readonly RecipientOutcome[]): string {
  const q = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = ['recipient,outcome,status,message_id'];
  for (const o of outcomes) lines.push([o.address, o.accepted ? 'accepted' : 'rejected', o.status, o.messageId ?? ''].map((v) => q(v)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
