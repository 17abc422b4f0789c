/**
 * The content model the codec and the kernel (`@openmmsc/core`, which re-exports it) share: a
 * content type, and what every body part has. Each layer adds its own part headers: the WSP
 * multipart entry (`WspPart`) keeps them as on the wire, the kernel's `MmsPart` as plain fields.
 */

/** Content type parameters, keyed by lower-case name (`charset`, `type`, `start`, `name`, ...). */
export type ContentTypeParams = Record<string, string>;

/**
 * A media type with its parameters: `{ type: 'text/plain', params: { charset: 'utf-8' } }`. The
 * codec keeps `type` as written on the wire; the kernel's model holds it in lower case.
 */
export interface ContentType {
  type: string;
  params: ContentTypeParams;
}

/** What every body part has, whichever layer holds it. */
export interface Part {
  contentType: ContentType;
  data: Uint8Array;
}

/** A content type with `type` in lower case, as the kernel's model holds it. */
export function contentType(type: string, params: ContentTypeParams = {}): ContentType {
  return { type: type.toLowerCase(), params };
}

/** Renders a content type in MIME form: `multipart/related; type="application/smil"`. */
export function formatContentType(ct: ContentType): string {
  let out = ct.type;
  for (const [k, v] of Object.entries(ct.params)) {
    out += /^[A-Za-z0-9!#$&^_.+-]+$/.test(v) ? `; ${k}=${v}` : `; ${k}="${v.replace(/(["\\])/g, '\\$1')}"`;
  }
  return out;
}
