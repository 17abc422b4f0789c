/**
 * @openmmsc/mm7: the MM7 protocol (3GPP TS 23.140 §8.7) without an MMSC — SOAP envelopes of every
 * release, SOAP with attachments (on @openmmsc/mime), status codes, and an HTTP client. Used by
 * the MM7 plugin, the `openmmsc vasp` command and the testkit's simulated VASP.
 */
export * from './model.js';
export * from './releases.js';
export * from './status.js';
export { DEFAULT_DIALECT, OPENMMSC_DETAILS_NS, encodeBody, writeEnvelope, type Dialect, type EnvelopeInput } from './encode.js';
export { Mm7DecodeError, decodeBody } from './decode.js';
export { decodeEnvelope, detectRelease, type ParsedEnvelope } from './envelope.js';
export { salvageHints, type RequestHints } from './salvage.js';
export type { DecodeWarning, DecodeWarningKind, WarningSink } from './warnings.js';
export { DEFAULT_DECODE_LIMITS, DEFAULT_MIME_LIMITS, buildContent, decodeMm7, encodeMm7, type ContentInput, type DecodeLimits, type DecodedMm7, type HttpPayload } from './transport.js';
export { DEFAULT_XML_LIMITS, XmlSecurityError, XmlSyntaxError, parseXmlSafely, type XmlLimits } from './xml.js';
export { partsFromContent } from './content.js';
export { parseXsDuration, resolveDate, xsDateTime } from './dates.js';
export { Mm7Client, postMm7, guessAddress, newTransactionId, type Mm7ClientOptions, type SubmitOptions, type ClientAnswer, type PostOptions, type PostResult } from './client.js';
// The MIME layer SOAP with attachments is built on, for callers that read content themselves.
export { MimeError, decodeQuotedPrintable, encodeQuotedPrintable, type MimeEntity, type MimeLeaf, type MimeLimits } from '@openmmsc/mime';
