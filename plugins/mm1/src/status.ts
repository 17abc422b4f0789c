import type { ReasonCode } from '@openmmsc/core';
import type { ResponseStatus } from '@openmmsc/codec';

/** Which X-Mms-Response-Status vocabulary a handset understands. */
export type StatusVocabulary = 'legacy' | '1.3';

interface Mapping {
  /** MMS 1.0 code (0x80-0x88). */
  legacy: ResponseStatus;
  /** MMS 1.1+ permanent code, for a rejection. */
  permanent: ResponseStatus;
  /** MMS 1.1+ transient code, for a deferral. */
  transient: ResponseStatus;
}

/**
 * The kernel's reason codes in m-send-conf / m-forward-conf terms. A rejection is permanent, a
 * deferral transient; MMS 1.0 handsets get the 1.0 codes, which have no such distinction.
 */
export const REASON_STATUS: Readonly<Record<ReasonCode, Mapping>> = {
  'service-denied': { legacy: 'error-service-denied', permanent: 'error-permanent-service-denied', transient: 'error-transient-failure' },
  'format-corrupt': { legacy: 'error-message-format-corrupt', permanent: 'error-permanent-message-format-corrupt', transient: 'error-transient-failure' },
  'sending-address-unresolved': {
    legacy: 'error-sending-address-unresolved',
    permanent: 'error-permanent-sending-address-unresolved',
    transient: 'error-transient-sending-address-unresolved',
  },
  'address-unresolved': {
    legacy: 'error-sending-address-unresolved',
    permanent: 'error-permanent-sending-address-unresolved',
    transient: 'error-transient-sending-address-unresolved',
  },
  'no-route': {
    legacy: 'error-sending-address-unresolved',
    permanent: 'error-permanent-sending-address-unresolved',
    transient: 'error-transient-sending-address-unresolved',
  },
  'message-not-found': { legacy: 'error-message-not-found', permanent: 'error-permanent-message-not-found', transient: 'error-transient-message-not-found' },
  'network-problem': { legacy: 'error-network-problem', permanent: 'error-permanent-failure', transient: 'error-transient-network-problem' },
  'content-not-accepted': { legacy: 'error-content-not-accepted', permanent: 'error-permanent-content-not-accepted', transient: 'error-transient-failure' },
  'size-exceeded': { legacy: 'error-content-not-accepted', permanent: 'error-permanent-content-not-accepted', transient: 'error-transient-failure' },
  spam: { legacy: 'error-content-not-accepted', permanent: 'error-permanent-content-not-accepted', transient: 'error-transient-failure' },
  virus: { legacy: 'error-content-not-accepted', permanent: 'error-permanent-content-not-accepted', transient: 'error-transient-failure' },
  'unsupported-message': { legacy: 'error-unsupported-message', permanent: 'error-unsupported-message', transient: 'error-transient-failure' },
  'too-many-recipients': { legacy: 'error-service-denied', permanent: 'error-permanent-service-denied', transient: 'error-transient-failure' },
  'insufficient-credit': { legacy: 'error-service-denied', permanent: 'error-permanent-lack-of-prepaid', transient: 'error-transient-failure' },
  'limit-exceeded': { legacy: 'error-service-denied', permanent: 'error-permanent-service-denied', transient: 'error-transient-failure' },
  'internal-error': { legacy: 'error-network-problem', permanent: 'error-permanent-failure', transient: 'error-transient-failure' },
};

/** The response status for a refused request. */
export function responseStatusFor(code: ReasonCode, kind: 'reject' | 'defer', vocabulary: StatusVocabulary): ResponseStatus {
  const m = REASON_STATUS[code] ?? REASON_STATUS['internal-error'];
  if (vocabulary === 'legacy') return m.legacy;
  return kind === 'reject' ? m.permanent : m.transient;
}

/** Picks the vocabulary for a request: configured, or by its X-Mms-MMS-Version (1.0 → legacy). */
export function vocabularyFor(setting: 'auto' | 'legacy' | '1.3', requestVersion: string | undefined): StatusVocabulary {
  if (setting !== 'auto') return setting;
  return requestVersion === undefined || requestVersion === '1.0' ? 'legacy' : '1.3';
}
