/** A MIME entity tree: headers, decoded body, and the entities of a multipart, recursively. */
import { MimeError } from './errors.js';
import { parseContentType, type ContentType } from './content-type.js';
import { header, type HeaderList } from './headers.js';
import { DEFAULT_LIMITS, type ReadOptions } from './limits.js';
import { splitEntity, splitMultipart } from './multipart.js';
import { decodeTransferEncoding } from './transfer-encoding.js';

export interface MimeEntity {
  headers: HeaderList;
  contentType: ContentType;
  /** The body with its transfer encoding undone (for a multipart: the body the parts were split from). */
  body: Buffer;
  /** The entities of a multipart, in order. */
  parts?: MimeEntity[];
}

interface Walk {
  options: ReadOptions;
  count: number;
}

/**
 * Reads an entity from its header fields and raw body; multiparts are read recursively, within the
 * limits (part count, nesting depth, header size). Strict by default: see `ReadOptions.strict`.
 */
export function parseEntity(headers: HeaderList, rawBody: Buffer, options: ReadOptions = {}): MimeEntity {
  return readEntity(headers, rawBody, { options, count: 0 }, 0);
}

function readEntity(headers: HeaderList, rawBody: Buffer, walk: Walk, depth: number, defaultType?: string): MimeEntity {
  const options = walk.options;
  const strict = options.strict ?? true;
  const limits = options.limits ?? DEFAULT_LIMITS;
  const contentType = parseContentType(header(headers, 'content-type'), defaultType, strict);
  const body = decodeTransferEncoding(rawBody, header(headers, 'content-transfer-encoding'), options.warn, strict);
  if (!contentType.type.startsWith('multipart/')) return { headers, contentType, body };
  if (depth >= limits.maxDepth) throw new MimeError('too-deep', `multipart nesting deeper than ${limits.maxDepth}`);
  const boundary = contentType.params.boundary;
  if (!boundary) throw new MimeError('no-boundary', `${contentType.type} without a boundary`);
  const pieces = splitMultipart(body, boundary, options);
  walk.count += pieces.length;
  if (walk.count > limits.maxParts) throw new MimeError('too-many-parts', `more than ${limits.maxParts} parts`);
  const childType = contentType.type === 'multipart/digest' ? 'message/rfc822' : undefined;
  const parts = pieces.map((piece) => {
    const split = splitEntity(piece, limits, strict);
    return readEntity(split.headers, split.body, walk, depth + 1, childType);
  });
  return { headers, contentType, body, parts };
}

/** Reads a whole entity (header block, blank line, body): a message, or an HTTP body with its headers. */
export function parseMessage(raw: Buffer, options: ReadOptions = {}): MimeEntity {
  const { headers, body } = splitEntity(raw, options.limits ?? DEFAULT_LIMITS, options.strict ?? true);
  return parseEntity(headers, body, options);
}

/** The leaf entities of a tree, in order (nested multiparts flattened). */
export function leafEntities(entity: MimeEntity): MimeEntity[] {
  return entity.parts ? entity.parts.flatMap(leafEntities) : [entity];
}
