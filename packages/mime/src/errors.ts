/**
 * What a strict reader refuses (`MimeError`, with a code a caller can map to its own interface's
 * answer) and what any reader accepts but reports (`MimeWarning`).
 */

/** Why a MIME structure was refused. */
export type MimeErrorCode =
  /** A header line without a name, or a block starting with a continuation line. */
  | 'malformed-header'
  /** A message with no header block at all. */
  | 'no-headers'
  /** The header block is larger than `maxHeaderBytes`. */
  | 'header-too-large'
  /** A Content-Type that is not `type/subtype`. */
  | 'malformed-content-type'
  /** A multipart without a (usable) boundary parameter. */
  | 'no-boundary'
  /** The boundary does not occur in the body. */
  | 'boundary-not-found'
  /** The closing `--boundary--` is missing: the body was cut short. */
  | 'multipart-truncated'
  /** A multipart with no body part. */
  | 'multipart-empty'
  /** A multipart/related whose `start` names no part, or whose root is not of its `type`. */
  | 'related-root'
  /** Base64 content that is not base64, or not whole groups of four (cut short). */
  | 'base64-invalid'
  /** A Content-Transfer-Encoding this reader does not know. */
  | 'unknown-transfer-encoding'
  /** More parts than `maxParts`. */
  | 'too-many-parts'
  /** Multiparts nested deeper than `maxDepth`. */
  | 'too-deep';

export class MimeError extends Error {
  constructor(
    readonly code: MimeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MimeError';
  }
}

/** A deviation a reader went past. */
export type MimeWarningKind =
  /** Bare LF line ends instead of CRLF. */
  | 'bare-lf'
  /** A quoted-printable `=` not followed by two hex digits, kept as is. */
  | 'qp-stray-equals'
  /** A header RFC 5322 allows once appears more than once (the first is used). */
  | 'duplicate-header'
  /** Raw 8-bit bytes in a header (read as UTF-8). */
  | 'eight-bit-header'
  /** A multipart/related without `start` whose first part is not of its `type`. */
  | 'related-type'
  /** Lenient mode only: structure cut short, read up to where it stops. */
  | 'truncated';

export interface MimeWarning {
  kind: MimeWarningKind;
  message: string;
}

export type MimeWarningSink = (kind: MimeWarningKind, message: string) => void;
