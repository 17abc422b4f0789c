/**
 * SMSC delivery receipts (SMPP 3.4 appendix B): a deliver_sm with esm_class 0x04 whose text is
 * `id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:…`.
 * The receipted_message_id and message_state TLVs, when present, take precedence.
 */
export interface DeliveryReceipt {
  /** SMSC message id of the submit_sm this receipt is about. */
  id: string;
  /** DELIVRD, EXPIRED, DELETED, UNDELIV, ACCEPTD, UNKNOWN, REJECTD (or ENROUTE). */
  stat: string;
  err?: string;
  submitDate?: string;
  doneDate?: string;
  sub?: string;
  dlvrd?: string;
}

const MESSAGE_STATES: Record<number, string> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};

/** True for the esm_class of a delivery receipt (SMSC delivery receipt, or intermediate notification). */
export function isReceiptEsmClass(esmClass: number): boolean {
  const type = esmClass & 0x3c;
  return type === 0x04 || type === 0x20;
}

/** Parses a receipt; undefined when neither the text nor the TLVs name a message id. */
export function parseReceipt(text: string, tlv: { receiptedMessageId?: string; messageState?: number } = {}): DeliveryReceipt | undefined {
  // An empty field (`stat: err:000`) is as good as a missing one.
  const field = (name: string) => new RegExp(`(?:^|\\s)${name}:(\\S*)`, 'i').exec(text)?.[1] || undefined;
  const id = tlv.receiptedMessageId || field('id');
  const stat = (tlv.messageState !== undefined ? MESSAGE_STATES[tlv.messageState] : undefined) ?? field('stat')?.toUpperCase();
  if (!id) return undefined;
  const r: DeliveryReceipt = { id, stat: stat ?? 'UNKNOWN' };
  const err = field('err');
  if (err !== undefined) r.err = err;
  const sub = field('sub');
  if (sub !== undefined) r.sub = sub;
  const dlvrd = field('dlvrd');
  if (dlvrd !== undefined) r.dlvrd = dlvrd;
  const submitDate = field('submit date');
  if (submitDate !== undefined) r.submitDate = submitDate;
  const doneDate = field('done date');
  if (doneDate !== undefined) r.doneDate = doneDate;
  return r;
}

/**
 * Other spellings of an SMSC message id: some SMSCs answer submit_sm_resp in hex and write the
 * receipt id in decimal, or the other way round.
 */
export function alternativeIds(id: string): string[] {
  const out: string[] = [];
  if (/^[0-9]+$/.test(id) && id.length <= 15) out.push(BigInt(id).toString(16), BigInt(id).toString(16).toUpperCase());
  if (/^[0-9a-f]+$/i.test(id) && id.length <= 15) out.push(BigInt(`0x${id}`).toString(10));
  return [...new Set(out.filter((x) => x !== id))];
}
