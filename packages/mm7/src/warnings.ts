import type { MimeWarningKind } from '@openmmsc/mime';

/**
 * Deviations from TS 23.140 / RFC 2045-2046 that real VASPs send and the decoder accepts. Each
 * is reported, so an operator can see (in the log and in a counter) which peers lean on them.
 */
export type DecodeWarningKind =
  /** MIME deviations (bare LF line ends, a stray quoted-printable `=`, …). */
  | MimeWarningKind
  /** No HTTP Content-Type: read as text/xml. */
  | 'no-content-type'
  /** The SOAP part is not text/xml (or application/xml, application/soap+xml). */
  | 'envelope-type'
  /** The multipart's `start` parameter names no part: the envelope was guessed. */
  | 'start-not-found'
  /** `Content href="cid:…"` matched a Content-ID only when ignoring case. */
  | 'content-id-case'
  /** Attachments without a `Content href` pointing at them. */
  | 'unreferenced-content'
  /** A byte-order mark before the XML declaration. */
  | 'byte-order-mark';

export interface DecodeWarning {
  kind: DecodeWarningKind;
  message: string;
}

export type WarningSink = (kind: DecodeWarningKind, message: string) => void;
