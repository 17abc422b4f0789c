import type { IncomingHttpHeaders } from 'node:http';
import type { MmscRuntime } from '@openmmsc/core';
import type { Application } from './applications.js';
import { EAIF_HEADER } from './eaif-headers.js';
import { EAIF_TARGET } from './outbound.js';
import { Refusal } from './refusal.js';

/** True for the asynchronous result of a delivery: an empty POST with X-NOKIA-MMSC-Status. */
export function isAsyncStatus(headers: IncomingHttpHeaders, body: Uint8Array): boolean {
  return body.byteLength === 0 && headers[EAIF_HEADER.status.toLowerCase()] !== undefined;
}

/**
 * An application that answered a delivery with 202 Accepted later POSTs its result: the message
 * id we gave it and X-NOKIA-MMSC-Status (200 done, 4xx/5xx failed). Only the recipients routed
 * to that very application and waiting for the result move on. Returns how many did.
 */
export async function settleAsyncDelivery(mmsc: MmscRuntime, by: string, app: Application, headers: IncomingHttpHeaders): Promise<number> {
  const one = (name: string) => {
    const v = headers[name.toLowerCase()];
    return (Array.isArray(v) ? v[0] : v)?.trim();
  };
  const status = one(EAIF_HEADER.status) ?? '';
  if (!/^[1-5]\d\d$/.test(status)) throw new Refusal('format-corrupt', `${EAIF_HEADER.status} must be an HTTP status code, not ${JSON.stringify(status)}`);
  const messageId = one(EAIF_HEADER.messageId);
  if (!messageId) throw new Refusal('format-corrupt', `an asynchronous result needs the ${EAIF_HEADER.messageId} of the message it is about`);
  const unknown = () => new Refusal('message-not-found', `no message ${messageId} awaits a result from application ${app.id}`);
  if (!(await mmsc.getMessage(messageId))) throw unknown();
  const mine = (await mmsc.getRecipients(messageId)).filter((r) => r.route?.target === EAIF_TARGET && r.route.destination === app.id);
  if (mine.length === 0) throw unknown();
  const waiting = mine.filter((r) => r.state === 'forwarded');
  const ok = status.startsWith('2');
  for (const r of waiting) {
    await mmsc.transition(messageId, r.index, ok ? 'delivered' : 'rejected', { by, reason: `application ${app.id} reported ${EAIF_HEADER.status}: ${status}` });
  }
  // Repeated results for settled recipients are answered as success: the application may retry.
  return waiting.length;
}
