import { SmsReassembler } from '@openmmsc/codec';

/** Reassembles SMS (user data with UDH) per receiver, as a handset would. */
export function reassemble(sms: ReadonlyArray<{ receiver: string; udh?: Buffer; data: Buffer }>) {
  const r = new SmsReassembler();
  const out: Array<{ receiver: string; payload: Buffer; segments: number; ports?: { destination: number; source: number } }> = [];
  for (const s of sms) {
    const done = s.udh ? r.push(s.receiver, Buffer.concat([s.udh, s.data])) : r.push(s.receiver, s.data, false);
    if (done) {
      const item: (typeof out)[number] = { receiver: s.receiver, payload: done.payload, segments: done.segments };
      if (done.ports) item.ports = done.ports;
      out.push(item);
    }
  }
  return out;
}
