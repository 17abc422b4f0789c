/**
 * A MIME tree as the flat list of parts an MMS carries (every leaf with its Content-Type,
 * Content-ID and Content-Location), which mail-oriented parsers flatten into "text, html and
 * attachments" instead.
 */
import { parseParams, type ContentType } from './content-type.js';
import { leafEntities, type MimeEntity } from './entity.js';
import { MimeError, type MimeWarningSink } from './errors.js';
import { bareId, decodeWords, header } from './headers.js';

/** One leaf part. Shaped like the kernel's `MmsPart`. */
export interface MimeLeaf {
  contentType: ContentType;
  /** Kept bare (`id@host`); written as `<id@host>`. */
  contentId?: string;
  contentLocation?: string;
  contentDisposition?: string;
  data: Uint8Array;
}

export interface LeafOptions {
  /**
   * RFC 2387: a multipart/related's `start` must name one of its parts, and its `type` must be
   * that root's type (`MimeError` 'related-root' otherwise). Default true.
   */
  checkRelated?: boolean;
  warn?: MimeWarningSink;
}

/** The leaf of one entity: location from Content-Location, else the file name it carries. */
export function leafOf(entity: MimeEntity): MimeLeaf {
  const { headers, contentType, body } = entity;
  const leaf: MimeLeaf = { contentType, data: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) };
  const id = bareId(header(headers, 'content-id'));
  if (id) leaf.contentId = id;
  const location = header(headers, 'content-location');
  if (location) leaf.contentLocation = decodeWords(location.trim());
  const disposition = header(headers, 'content-disposition');
  if (disposition) {
    leaf.contentDisposition = disposition;
    const filename = parseParams(disposition)[1].filename;
    if (!leaf.contentLocation && filename) leaf.contentLocation = decodeWords(filename);
  }
  if (!leaf.contentLocation && contentType.params.name) leaf.contentLocation = decodeWords(contentType.params.name);
  return leaf;
}

/** The leaf parts of a tree, in order; checks each multipart/related's root on the way. */
export function leafParts(entity: MimeEntity, options: LeafOptions = {}): MimeLeaf[] {
  if (options.checkRelated ?? true) checkRelatedRoots(entity, options.warn);
  return leafEntities(entity).map(leafOf);
}

function checkRelatedRoots(entity: MimeEntity, warn: MimeWarningSink | undefined): void {
  if (!entity.parts) return;
  if (entity.contentType.type === 'multipart/related') checkRoot(entity.contentType, entity.parts, warn);
  for (const part of entity.parts) checkRelatedRoots(part, warn);
}

/** RFC 2387: `start` names a body part of this multipart, and `type` is that root's type. */
function checkRoot(ct: ContentType, children: readonly MimeEntity[], warn: MimeWarningSink | undefined): void {
  const start = ct.params.start;
  const declaredType = ct.params.type?.toLowerCase();
  if (start !== undefined) {
    const root = children.find((child) => bareId(header(child.headers, 'content-id')) === bareId(start));
    if (!root) throw new MimeError('related-root', `multipart/related start=${start} names no part of it`);
    if (declaredType && root.contentType.type !== declaredType) throw new MimeError('related-root', `multipart/related declares type=${declaredType} but its root ${start} is ${root.contentType.type}`);
  } else if (declaredType && children[0] && children[0].contentType.type !== declaredType) {
    warn?.('related-type', `multipart/related type=${declaredType} but its first part is ${children[0].contentType.type}`);
  }
}
