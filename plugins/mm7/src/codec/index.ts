export * from './model.js';
export * from './releases.js';
export * from './status.js';
export { DEFAULT_DIALECT, OPENMMSC_DETAILS_NS, encodeBody, writeEnvelope, type Dialect, type EnvelopeInput } from './encode.js';
export { Mm7DecodeError, decodeBody } from './decode.js';
export { decodeEnvelope, detectRelease, type ParsedEnvelope } from './envelope.js';
export { salvageHints, type RequestHints } from './salvage.js';
export type { DecodeWarning, DecodeWarningKind, WarningSink } from './warnings.js';
export { DEFAULT_DECODE_LIMITS, buildContent, decodeMm7, encodeMm7, type ContentInput, type DecodeLimits, type DecodedMm7, type HttpPayload } from './transport.js';
export {
  DEFAULT_MIME_LIMITS,
  MimeError,
  bareId,
  buildMultipart,
  decodeQuotedPrintable,
  decodeTransferEncoding,
  encodeQuotedPrintable,
  parseContentType,
  parseEntity,
  parseMimeMessage,
  type ParseState,
  splitMultipart,
  type MimeEntity,
  type MimeLimits,
  type OutPart,
} from './mime.js';
export { DEFAULT_XML_LIMITS, XmlSecurityError, XmlSyntaxError, parseXmlSafely, type XmlLimits } from './xml.js';
