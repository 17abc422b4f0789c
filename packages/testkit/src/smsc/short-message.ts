/// <reference types="@openmmsc/smpp-types" preserve="true" />
import smpp from 'smpp';
import type { SubmittedSms } from './records.js';

/** The raw bytes of a short_message the `smpp` package decoded into `{ udh, message }`. */
export function rawMessage(value: unknown, dataCoding: number): Buffer {
  if (value === undefined || value === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(value)) return value;
  const v = value as { udh?: Buffer[]; message?: Buffer | string };
  const udh = v.udh?.length ? Buffer.concat([Buffer.from([v.udh.reduce((n, e) => n + e.length, 0)]), ...v.udh]) : Buffer.alloc(0);
  let body: Buffer;
  const m = v.message;
  if (m === undefined) body = Buffer.alloc(0);
  else if (Buffer.isBuffer(m)) body = m;
  else {
    const enc = dataCoding & 0x0f;
    if (enc === 0x08) body = Buffer.from(m, 'utf16le').swap16();
    else if (enc === 0x03) body = Buffer.from(m, 'latin1');
    else body = smpp.gsmCoder.encode(m, 0);
  }
  return Buffer.concat([udh, body]);
}

function smppDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

/** The SMPP 3.4 appendix B text of a delivery receipt for an accepted submit. */
export function receiptText(messageId: string, sub: SubmittedSms | undefined, stat: string, err: string): string {
  const now = new Date();
  const text =
    sub && (sub.dataCoding === 0 || sub.dataCoding === 1) && !(sub.esmClass & 0x40) ? smpp.gsmCoder.decode(sub.shortMessage).slice(0, 20) : '';
  return (
    `id:${messageId} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:${smppDate(new Date(sub?.at ?? now.getTime()))} ` +
    `done date:${smppDate(now)} stat:${stat} err:${err} text:${text}`
  );
}
