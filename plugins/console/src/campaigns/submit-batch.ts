import type { BatchAnswer } from '@openmmsc/campaign';
import type { Address, MmscRuntime, MmsPart } from '@openmmsc/core';
import type { CampaignState } from './campaign-store.js';

/** How long the kernel remembers a campaign batch, so a chunk taken over after a crash is not sent twice. */
const RETRANSMISSION_WINDOW_MS = 24 * 3_600_000;

/**
 * Submits one batch of a campaign to the kernel as one message (the pipeline a VASP's message
 * takes: admission, anti-spam, routing, charging), under a retransmission key of its own.
 */
export async function submitCampaignBatch(mmsc: MmscRuntime, c: CampaignState, parts: readonly MmsPart[], batch: readonly string[], start: number): Promise<BatchAnswer> {
  const details: NonNullable<BatchAnswer['details']>[number][] = [];
  const to: Address[] = [];
  // The kernel answers in normal form (`+49555…`) what the list may give otherwise (`0555…`).
  const asListed = new Map<string, string>();
  for (const raw of batch) {
    try {
      const address = mmsc.parseAddress(raw);
      to.push(address);
      asListed.set(address.value, raw);
    } catch (error) {
      details.push({ address: raw, status: `address-unresolved: ${(error as Error).message}`, accepted: false });
    }
  }
  if (to.length === 0) return { accepted: false, status: 'address-unresolved', details };
  const from = mmsc.parseAddress(c.from);
  const multipart = parts.length > 1 || parts.some((p) => p.contentType.type === 'application/smil');
  const contentType = multipart ? { type: 'application/vnd.wap.multipart.mixed', params: {} } : parts[0]!.contentType;
  const result = await mmsc.submit({
    message: {
      headers: { from, to, cc: [], bcc: [], contentType, messageClass: 'advertisement', ...(c.subject ? { subject: { text: c.subject } } : {}) },
      parts: parts.map((p) => ({ ...p })),
    },
    origin: { interface: 'console', peer: c.createdBy, attributes: { campaign: c.id } },
    retransmission: { key: `campaign:${c.id}:${start}`, windowMs: RETRANSMISSION_WINDOW_MS },
  });
  if (result.status === 'deferred') throw new CampaignDeferred(`${result.reason.code}: ${result.reason.message}`, result.retryAfterMs);
  for (const r of result.recipients) {
    const ok = r.status !== 'rejected';
    details.push({ address: asListed.get(r.address.value) ?? r.address.value, status: r.status === 'accepted' ? 'accepted' : `${r.status}: ${r.reason.code}: ${r.reason.message}`, accepted: ok });
  }
  const answer: BatchAnswer = { accepted: result.status === 'accepted', status: result.status === 'accepted' ? 'accepted' : `${result.status}: ${result.reason.code}: ${result.reason.message}`, details };
  if (result.status === 'accepted') answer.messageId = result.messageId;
  return answer;
}

/** The kernel asked to try later (draining, overloaded): the chunk waits, nothing is counted. */
export class CampaignDeferred extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
    this.name = 'CampaignDeferred';
  }
}
