/** MM7 content (the attachment a `Content href` names) as the flat part list of an MMS. */
import { bareId, leafParts, wapMultipartType, type ContentType, type MimeEntity, type MimeLeaf } from '@openmmsc/mime';

/**
 * The parts and MMS content type of an MM7 content entity. Content-IDs are kept bare (`id`), and
 * so is a multipart/related `start`, which names one of them: both get their `<>` back on the wire.
 */
export function partsFromContent(content: MimeEntity | undefined): { parts: MimeLeaf[]; contentType: ContentType } {
  if (!content) return { parts: [], contentType: { type: wapMultipartType('multipart/mixed'), params: {} } };
  // MM7 has always taken a VASP's multipart/related as it comes: its root is not checked.
  const parts = leafParts(content, { checkRelated: false });
  const ct = content.contentType;
  const smil = parts.find((p) => p.contentType.type === 'application/smil');
  if (ct.type === 'multipart/related' && smil) {
    const params: Record<string, string> = { type: 'application/smil' };
    const start = bareId(ct.params.start) || smil.contentId;
    if (start) params.start = start;
    return { parts, contentType: { type: wapMultipartType(ct.type), params } };
  }
  return { parts, contentType: { type: wapMultipartType('multipart/mixed'), params: {} } };
}
