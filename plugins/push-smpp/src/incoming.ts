/// <reference types="@openmmsc/smpp-types" preserve="true" />
import type { SmppPdu } from 'smpp';

/** A deliver_sm as the link hands it on (already answered with deliver_sm_resp). */
export interface IncomingSms {
  sourceAddr: string;
  destinationAddr: string;
  esmClass: number;
  dataCoding: number;
  /** short_message (or message_payload) without the UDH. */
  text: string;
  receiptedMessageId?: string;
  messageState?: number;
}

export function incoming(pdu: SmppPdu): IncomingSms {
  const sm = pdu.short_message as { message?: unknown } | Buffer | undefined;
  const payload = pdu.message_payload as { message?: unknown } | Buffer | undefined;
  const text = textOf(sm) || textOf(payload);
  const r: IncomingSms = {
    sourceAddr: String(pdu.source_addr ?? ''),
    destinationAddr: String(pdu.destination_addr ?? ''),
    esmClass: Number(pdu.esm_class ?? 0),
    dataCoding: Number(pdu.data_coding ?? 0),
    text,
  };
  if (typeof pdu.receipted_message_id === 'string' && pdu.receipted_message_id) r.receiptedMessageId = pdu.receipted_message_id;
  if (typeof pdu.message_state === 'number') r.messageState = pdu.message_state;
  return r;
}

function textOf(v: { message?: unknown } | Buffer | undefined): string {
  if (v === undefined) return '';
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  const m = v.message;
  if (typeof m === 'string') return m;
  if (Buffer.isBuffer(m)) return m.toString('latin1');
  return '';
}

