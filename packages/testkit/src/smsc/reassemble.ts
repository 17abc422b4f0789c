import { SmsReassembler } from '@openmmsc/codec';
import type { SubmittedSms } from './records.js';

/** A message a handset put back together from one or more SMS. */
export interface ReassembledSms {
  payload: Buffer;
  segments: number;
  /** WDP ports from the UDH (WAP Push: destination 2948). */
  ports?: { destination: number; source: number };
}

/** What handsets get from the SMSC: every submit reassembled as a handset would, per destination address. */
export function reassembleSubmits(submits: readonly SubmittedSms[]): Map<string, ReassembledSms[]> {
  const r = new SmsReassembler();
  const out = new Map<string, ReassembledSms[]>();
  for (const s of submits) {
    const done = r.push(s.destinationAddr, s.shortMessage, (s.esmClass & 0x40) !== 0);
    if (!done) continue;
    const item: ReassembledSms = { payload: done.payload, segments: done.segments };
    if (done.ports) item.ports = done.ports;
    out.set(s.destinationAddr, [...(out.get(s.destinationAddr) ?? []), item]);
  }
  return out;
}
