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

/**
 * Reasons that mean the content is structurally incomplete: the data ends before a declared
 * length, count or value does (`truncated`), or a uintvar never ends or overflows 32 bits
 * (`invalid-uintvar`). The decoders never accept these, strict or not, unless asked to salvage.
 */
const STRUCTURAL: ReadonlySet<MmsDecodeErrorReason> = new Set(['truncated', 'invalid-uintvar']);

export class MmsDecodeError extends Error {
  override readonly name = 'MmsDecodeError';
  /** Byte offset (in the buffer given to the decoder) where the problem was found. */
  readonly offset: number;
  readonly reason: MmsDecodeErrorReason;
  /** True when the content is structurally incomplete (see `isStructural`), not just non-conformant. */
  readonly structural: boolean;

  constructor(reason: MmsDecodeErrorReason, offset: number, detail?: string) {
    super(`${reason} at offset ${offset}${detail ? `: ${detail}` : ''}`);
    this.reason = reason;
    this.offset = offset;
    this.structural = isStructural(reason);
  }
}

/** True for the reasons that mean truncated or broken framing (`truncated`, `invalid-uintvar`). */
export function isStructural(reason: MmsDecodeErrorReason): boolean {
  return STRUCTURAL.has(reason);
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
