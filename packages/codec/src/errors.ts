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

/**
 * The base of every decode error of the codec: `instanceof CodecDecodeError` catches a failure of
 * any layer. Each layer throws its own subclass (`WspDecodeError`, `MmsDecodeError`,
 * `PushDecodeError`); a layer's entry points (`decodePdu`, `decodeWapPush`) report what failed
 * below them as their own, with the lower layer's error as `cause`.
 */
export class CodecDecodeError extends Error {
  override readonly name: string = 'CodecDecodeError';
  /** Byte offset (in the buffer given to the decoder) where the problem was found. */
  readonly offset: number;
  readonly reason: MmsDecodeErrorReason;
  /** True when the content is structurally incomplete (see `isStructural`), not just non-conformant. */
  readonly structural: boolean;
  /** What was wrong, without the reason and offset. */
  readonly detail: string | undefined;

  constructor(reason: MmsDecodeErrorReason, offset: number, detail?: string, options?: ErrorOptions) {
    super(`${reason} at offset ${offset}${detail ? `: ${detail}` : ''}`, options);
    this.reason = reason;
    this.offset = offset;
    this.structural = isStructural(reason);
    this.detail = detail;
  }

  /** `error` (of a lower layer) as an error of this class, with the same reason, offset and text. */
  static from<T extends CodecDecodeError>(this: new (reason: MmsDecodeErrorReason, offset: number, detail?: string, options?: ErrorOptions) => T, error: CodecDecodeError): T {
    return new this(error.reason, error.offset, error.detail, { cause: error });
  }
}

/** A WSP encoding (WAP-230) that cannot be read: primitives, headers, content types, multipart. */
export class WspDecodeError extends CodecDecodeError {
  override readonly name: string = 'WspDecodeError';
}

/** An MMS PDU (OMA-TS-MMS_ENC) that cannot be read. */
export class MmsDecodeError extends CodecDecodeError {
  override readonly name: string = 'MmsDecodeError';
}

/** A WAP Push PDU, a user-data header or an SMS TPDU that cannot be read. */
export class PushDecodeError extends CodecDecodeError {
  override readonly name: string = 'PushDecodeError';
}

/** True for the reasons that mean truncated or broken framing (`truncated`, `invalid-uintvar`). */
export function isStructural(reason: MmsDecodeErrorReason): boolean {
  return STRUCTURAL.has(reason);
}

/** The base of every encode error of the codec: a value that cannot be written (see `CodecDecodeError` for the layers). */
export class CodecEncodeError extends Error {
  override readonly name: string = 'CodecEncodeError';
  /** Dotted path of the offending value, e.g. `to[1].address`. */
  readonly path: string;
  /** What was wrong, without the path. */
  readonly detail: string;

  constructor(path: string, message: string, options?: ErrorOptions) {
    super(path ? `${path}: ${message}` : message, options);
    this.path = path;
    this.detail = message;
  }

  /** `error` (of a lower layer) as an error of this class, with the same path and text. */
  static from<T extends CodecEncodeError>(this: new (path: string, message: string, options?: ErrorOptions) => T, error: CodecEncodeError): T {
    return new this(error.path, error.detail, { cause: error });
  }
}

/** A value the WSP encoders cannot write (integers out of range, charsets, content types, headers). */
export class WspEncodeError extends CodecEncodeError {
  override readonly name: string = 'WspEncodeError';
}

/** A value the MMS PDU encoder (and `pduFromJson`) cannot write. */
export class MmsEncodeError extends CodecEncodeError {
  override readonly name: string = 'MmsEncodeError';
}

/** A value the WAP Push, UDH or SMS encoders cannot write. */
export class PushEncodeError extends CodecEncodeError {
  override readonly name: string = 'PushEncodeError';
}

type DecodeLayer = typeof MmsDecodeError | typeof PushDecodeError;
type EncodeLayer = typeof MmsEncodeError | typeof PushEncodeError;

/** Runs a layer's entry point: what a lower layer throws comes out as this layer's error. */
export function asLayer<T>(decode: DecodeLayer, encode: EncodeLayer, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof CodecDecodeError && !(error instanceof decode)) throw decode.from(error);
    if (error instanceof CodecEncodeError && !(error instanceof encode)) throw encode.from(error);
    throw error;
  }
}
