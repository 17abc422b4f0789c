/** Content-Type values (RFC 2045 §5.1, RFC 2231 parameters) and the WAP ↔ MIME multipart names. */
import libmime from 'libmime';
import { MimeError } from './errors.js';

/** A media type (lower case) and its parameters (names lower case, values decoded). */
export interface ContentType {
  type: string;
  params: Record<string, string>;
}

/** RFC 2045 §5.2: an entity without a Content-Type. */
export const DEFAULT_CONTENT_TYPE: ContentType = { type: 'text/plain', params: { charset: 'us-ascii' } };

const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

/**
 * Splits `value; a=b; c="d"` into its value and parameters: quoted strings, RFC 2231 continuations
 * and charset-tagged values (`name*=utf-8''…`) included.
 */
export function parseParams(value: string): [value: string, params: Record<string, string>] {
  const parsed = libmime.parseHeaderValue(value);
  return [parsed.value || '', { ...parsed.params }];
}

/**
 * Parses a Content-Type header value. Without one, the `fallback` (RFC 2045's default unless
 * given). A value that is not `type/subtype` is a `MimeError` when `strict`, else the fallback.
 */
export function parseContentType(value: string | undefined, fallback: ContentType | string = DEFAULT_CONTENT_TYPE, strict = true): ContentType {
  const byDefault: ContentType =
    typeof fallback !== 'string' ? { type: fallback.type, params: { ...fallback.params } } : fallback === 'text/plain' ? { type: fallback, params: { charset: 'us-ascii' } } : { type: fallback, params: {} };
  if (!value?.trim()) return byDefault;
  const [typePart, params] = parseParams(value);
  const type = typePart.trim().toLowerCase();
  if (!MEDIA_TYPE.test(type)) {
    if (strict) throw new MimeError('malformed-content-type', `malformed content type ${JSON.stringify(typePart.slice(0, 60))}`);
    return byDefault;
  }
  return { type, params };
}

/** Writes `type; a=b; c="d e"`; non-ASCII or long values as RFC 2231 `name*=utf-8''…`. */
export function formatContentType(ct: ContentType): string {
  return formatParams(ct.type, ct.params);
}

/** Writes a header value with parameters (Content-Type, Content-Disposition). */
export function formatParams(value: string, params: Record<string, string>): string {
  return libmime.buildHeaderValue({ value, params });
}

/** `application/vnd.wap.multipart.related` → `multipart/related`, and so on. */
export function mimeMultipartType(type: string): string {
  const m = /^application\/vnd\.wap\.multipart\.(mixed|related|alternative)$/.exec(type);
  return m ? `multipart/${m[1]}` : type;
}

/** `multipart/related` → `application/vnd.wap.multipart.related` (the MMS form). */
export function wapMultipartType(type: string): string {
  const m = /^multipart\/(mixed|related|alternative)$/.exec(type);
  return m ? `application/vnd.wap.multipart.${m[1]}` : type;
}
