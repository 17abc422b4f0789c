/**
 * Typed errors of the codec. Decoding never throws anything else for malformed input.
 */

/** Why a decode failed. */
export type MmsDecodeErrorReason =
  | 'truncated'
  | 'invalid-value'
  | 'invalid-uintvar'
  | 'integer-overflow'
  | 'not-mms'
  | 'unknown-message-type'
  | 'unterminated-string'
  | 'length-mismatch'
  | 'limit-exceeded'
  | 'non-conformant';

export class MmsDecodeError extends Error {
  override readonly name = 'MmsDecodeError';
  /** Byte offset (in the buffer given to the decoder) where the problem was found. */
  readonly offset: number;
  readonly reason: MmsDecodeErrorReason;

  constructor(reason: MmsDecodeErrorReason, offset: number, detail?: string) {
    super(`${reason} at offset ${offset}${detail ? `: ${detail}` : ''}`);
    this.reason = reason;
    this.offset = offset;
  }
}

/** Raised by the encoders (and pduFromJson) for values that cannot be written. */
export class MmsEncodeError extends Error {
  override readonly name = 'MmsEncodeError';
  /** Dotted path of the offending value, e.g. `to[1].address`. */
  readonly path: string;

  constructor(path: string, message: string) {
    super(path ? `${path}: ${message}` : message);
    this.path = path;
  }
}
