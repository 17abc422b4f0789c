import type { KernelConfigInput } from '@openmmsc/core';
import { waitFor } from '@openmmsc/testkit';
import type { Mm1OptionsInput } from '../src/index.js';
import { startRig, type Rig } from './helpers.js';
import { parse, type Parsed } from './mmbox-bytes.js';
import { fakeJpeg, sendReqBytes } from './pdu-bytes.js';

export const A = '+15550000001';
export const B = '+15550000002';
export const C = '+15550000003';

/** MM1 with three subscribers whose handsets do nothing by themselves (the test drives them). */
export function boxRig(mm1: Mm1OptionsInput = {}, config: KernelConfigInput = {}): Promise<Rig> {
  return startRig({ bearer: 'direct', phones: [A, B, C].map((msisdn) => ({ msisdn, mode: 'manual' as const })), mm1, config });
}

export interface Answer {
  status: number;
  bytes: Buffer;
  pdu: Parsed;
}

/** POSTs PDU bytes as the WAP gateway would for `as` (no identity header when `as` is null). */
export async function post(rig: Rig, body: Uint8Array, as: string | null): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/vnd.wap.mms-message' };
  if (as) headers['x-wap-network-client-msisdn'] = as;
  const res = await fetch(`${rig.url}/mms`, { method: 'POST', headers, body });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, bytes, pdu: bytes.length && bytes[0] === 0x8c ? parse(bytes) : { fields: [] } };
}

/** GETs a Content-Location as the WAP gateway would for `as`. */
export async function get(url: string, as: string | null): Promise<Answer> {
  const res = await fetch(url, { headers: as ? { 'x-wap-network-client-msisdn': as } : {} });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, bytes, pdu: bytes.length && bytes[0] === 0x8c ? parse(bytes) : { fields: [] } };
}

let n = 0;

/** An m-send-req from `from` to `to` (text and a JPEG), with further header bytes (e.g. X-Mms-Store). */
export function sendBytes(to: string, text: string, extra: number[] = [], tid = `box-${++n}`, jpegSize = 600): Buffer {
  return sendReqBytes({ transactionId: tid, to, text, jpeg: fakeJpeg(jpegSize, n), extra });
}

/** The Content-Location (and transaction id) of the `nth` notification `to` got. */
export async function notified(rig: Rig, to: string, nth = 0): Promise<{ location: string; tid: string }> {
  const phone = rig.phone(to);
  const { pdu } = await waitFor(`notification ${nth + 1} of ${to}`, () => phone.notifications[nth]);
  return { location: pdu.contentLocation!, tid: pdu.transactionId! };
}
