import { revivedBuffers } from '@openmmsc/core/threads';
import { Mm7DecodeError, RELEASES, decodeMm7, salvageHints, type DecodeLimits, type DecodedMm7, type DecodeWarning, type ReleaseName } from '@openmmsc/mm7';

/** A request body to decode, as it crosses to a thread (limits as plain data: a Set does not clone as a Set). */
export interface DecodeRequest {
  contentType: string | undefined;
  body: Uint8Array;
  limits: { xml: DecodeLimits['xml']; mime: DecodeLimits['mime']; accept?: string[] };
}

/** What an Mm7DecodeError carries, as data. */
export interface DecodeFailure {
  status: number;
  message: string;
  faultcode: Mm7DecodeError['faultcode'];
  transactionId?: string;
  release?: ReleaseName;
  version?: string;
  warnings?: DecodeWarning[];
}

export type DecodeOutcome = { decoded: DecodedMm7 } | { failure: DecodeFailure };

export function toDecodeRequest(contentType: string | undefined, body: Uint8Array, limits: DecodeLimits): DecodeRequest {
  const plain: DecodeRequest['limits'] = { xml: limits.xml, mime: limits.mime };
  if (limits.accept) plain.accept = [...limits.accept];
  return { contentType, body, limits: plain };
}

/**
 * Decodes on the thread. A request that cannot be read is an outcome, not an error, and it
 * carries what the fault needs from the body (the release and TransactionID, salvaged when the
 * decoder got no further): the caller may no longer have the body.
 */
export function decodeOutcome(request: DecodeRequest): DecodeOutcome {
  const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
  const { accept, ...rest } = request.limits;
  const limits: DecodeLimits = accept ? { ...rest, accept: new Set(accept) } : rest;
  try {
    return { decoded: decodeMm7(request.contentType, body, limits) };
  } catch (error) {
    if (!(error instanceof Mm7DecodeError)) throw error;
    const hints = salvageHints(body);
    const failure: DecodeFailure = { status: error.status, message: error.message, faultcode: error.faultcode };
    const transactionId = error.transactionId ?? hints.transactionId;
    const release = error.release ?? hints.release;
    if (transactionId !== undefined) failure.transactionId = transactionId;
    if (release) failure.release = release.name;
    if (error.version !== undefined) failure.version = error.version;
    if (error.warnings) failure.warnings = error.warnings;
    return { failure };
  }
}

/** The outcome back on the caller's side: Buffers and the release table's own objects again. */
export function reviveOutcome(outcome: DecodeOutcome): DecodedMm7 {
  if ('failure' in outcome) {
    const f = outcome.failure;
    const error = new Mm7DecodeError(f.status, f.message, f.faultcode);
    if (f.transactionId !== undefined) error.transactionId = f.transactionId;
    if (f.release) error.release = RELEASES[f.release];
    if (f.version !== undefined) error.version = f.version;
    if (f.warnings) error.warnings = f.warnings;
    throw error;
  }
  const decoded = revivedBuffers(outcome.decoded);
  decoded.envelope.release = RELEASES[decoded.envelope.release.name];
  return decoded;
}
