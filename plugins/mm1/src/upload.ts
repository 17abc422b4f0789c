import { MmsDecodeError, decodePdu, type MmsPdu } from '@openmmsc/codec';

/**
 * Structural truncation the lenient decoder still reports as a warning: a multipart entry whose
 * declared length runs past the data, fewer entries than announced, a body cut inside an entry's
 * headers. The codec is to throw `MmsDecodeError('truncated')` for these itself; until then they
 * are turned into that error here, so both arrive on the same path (the format-corrupt answer).
 */
const TRUNCATION_WARNINGS: readonly RegExp[] = [
  /^part \d+ data truncated/,
  /^multipart announces \d+ entries, found \d+/,
  /is not a WSP multipart \((truncated|length-mismatch)\b/,
];

/**
 * Decodes a PDU a handset posted. Ingress is strict about structure: a PDU that is cut short or
 * whose lengths do not add up throws `MmsDecodeError`. Other deviations real handsets make are
 * accepted and left on `pdu.warnings` for the caller to log and count.
 */
export function decodeUpload(body: Uint8Array): MmsPdu {
  const pdu = decodePdu(body);
  const cut = pdu.warnings?.find((w) => TRUNCATION_WARNINGS.some((re) => re.test(w.message)));
  if (cut) throw new MmsDecodeError('truncated', cut.offset, cut.message);
  return pdu;
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
