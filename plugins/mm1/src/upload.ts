import { decodePdu, type MmsPdu } from '@openmmsc/codec';

/**
 * Decodes a PDU a handset posted. Ingress is strict about structure: a PDU that is cut short or
 * whose lengths do not add up throws `MmsDecodeError`. Other deviations real handsets make are
 * accepted and left on `pdu.warnings` for the caller to log and count.
 */
export function decodeUpload(body: Uint8Array): MmsPdu {
  // The codec refuses structural incompleteness (truncated, invalid-uintvar) whatever the mode.
  return decodePdu(body);
}

/** What can be read of a PDU that did not decode: enough to answer in its own terms. */
export interface PduHead {
  messageType?: string;
  transactionId?: string;
  mmsVersion?: string;
}

export function headOf(body: Uint8Array): PduHead {
  try {
    const pdu = decodePdu(body, { headersOnly: true }) as MmsPdu & { transactionId?: string };
    const head: PduHead = { messageType: pdu.messageType };
    if (pdu.transactionId) head.transactionId = pdu.transactionId;
    if (pdu.mmsVersion) head.mmsVersion = pdu.mmsVersion;
    return head;
  } catch {
    return {};
  }
}
