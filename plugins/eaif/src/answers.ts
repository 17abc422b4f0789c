import type { ReasonCode } from '@openmmsc/core';
import { EAIF_HEADER } from './eaif-headers.js';
import type { Refusal } from './refusal.js';

/** One HTTP answer to an application, before it is written. */
export interface EaifAnswer {
  status: number;
  headers: Record<string, string>;
  /** A refusal's reason as text/plain; success answers (204) have none. */
  body?: string;
}

/**
 * HTTP status for each refusal. EAIF has no status vocabulary of its own: 2xx is success, and
 * applications (and Mbuni's mmsbox) retry 5xx and give up on 4xx, so what may succeed later is 5xx.
 */
export const REFUSAL_STATUS: Readonly<Record<Refusal['code'], number>> = {
  unauthorized: 401,
  'source-not-allowed': 403,
  throughput: 503,
  'format-corrupt': 400,
  'address-unresolved': 400,
  'sending-address-unresolved': 403,
  'service-denied': 403,
  'content-not-accepted': 403,
  spam: 403,
  virus: 403,
  'limit-exceeded': 403,
  'too-many-recipients': 403,
  'no-route': 403,
  'insufficient-credit': 402,
  'size-exceeded': 413,
  'unsupported-message': 415,
  'message-not-found': 404,
  'network-problem': 503,
  'internal-error': 500,
} satisfies Record<ReasonCode | 'unauthorized' | 'source-not-allowed' | 'throughput', number>;

/** 204 No Content with the id the message was stored under (Nokia MMSC, Mbuni, NowSMS). */
export function accepted(messageId: string, version: string): EaifAnswer {
  return { status: 204, headers: { [EAIF_HEADER.messageId]: messageId, [EAIF_HEADER.version]: version } };
}

/** A refusal: its HTTP status, the reason as text, Retry-After when trying later may work. */
export function refused(refusal: Refusal, version: string, deferred = false): EaifAnswer {
  const status = deferred && refusal.code !== 'throughput' ? 503 : REFUSAL_STATUS[refusal.code];
  const headers: Record<string, string> = { [EAIF_HEADER.version]: version, 'content-type': 'text/plain; charset=utf-8' };
  if (status === 503) headers['retry-after'] = String(Math.max(1, Math.ceil((refusal.retryAfterMs ?? 5000) / 1000)));
  if (status === 401) headers['www-authenticate'] = 'Basic realm="EAIF", charset="UTF-8"';
  return { status, headers, body: `${refusal.message}\n` };
}
