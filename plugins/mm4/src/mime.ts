/**
 * MIME for MM4: a strict reader that keeps an MMS's part structure, and a writer whose part bytes
 * survive exactly. Bounded: header size, part count and nesting depth.
 */
export { MimeError, DEFAULT_LIMITS, type MimeLimits } from './mime/limits.js';
export { header, headerAll, parseHeaderLines, decodeWords, decodeCharset, encodeWords, bareId, type HeaderList } from './mime/headers.js';
export { parseContentType, splitParams, formatParams, mimeMultipartType, mmsMultipartType } from './mime/content-type.js';
export { parseHead, parseContent, parseMail, type MailHead, type ParsedMail } from './mime/read.js';
export { writePart, writeMail, newBoundary } from './mime/write.js';
