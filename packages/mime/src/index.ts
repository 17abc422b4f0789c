/**
 * @openmmsc/mime: MIME for OpenMMSC's interfaces (MM3, MM4, MM7's SOAP with attachments, MM11's
 * STI). Reading is strict by default — structure cut short is a typed `MimeError` the interface
 * turns into its own answer — and bounded; writing keeps part bytes exact.
 */
export { MimeError, type MimeErrorCode, type MimeWarning, type MimeWarningKind, type MimeWarningSink } from './errors.js';
export { DEFAULT_LIMITS, type MimeLimits, type ReadOptions } from './limits.js';
export { bareId, cidUrlId, decodeCharset, decodeWords, encodeCharset, encodeWords, header, headerAll, headerRecord, parseHeaderLines, wireId, type HeaderList } from './headers.js';
export { DEFAULT_CONTENT_TYPE, formatContentType, formatParams, mimeMultipartType, parseContentType, parseParams, wapMultipartType, type ContentType } from './content-type.js';
export { base64Lines, decodeQuotedPrintable, decodeTransferEncoding, encodeQuotedPrintable, isSafe7bit, type TransferEncoding } from './transfer-encoding.js';
export { buildMultipart, newBoundary, splitEntity, splitMultipart, writeHeaders, type OutPart } from './multipart.js';
export { leafEntities, parseEntity, parseMessage, type MimeEntity } from './entity.js';
export { leafOf, leafParts, type LeafOptions, type MimeLeaf } from './leaves.js';
export { parseBody, parseHead, SINGLE_HEADERS, type HeadOptions, type MessageHead } from './head.js';
export { leafToPart, writeMessage, writePart, type MessageContent, type PartEncoding } from './write.js';
export { escapeHtml, escapeXml } from './markup.js';
