import type { MmsPart } from '@openmmsc/core';

/** What a campaign sends, as the form (urlencoded) or the API (JSON) gives it. */
export interface ContentInput {
  from?: unknown;
  subject?: unknown;
  text?: unknown;
  /** A media part, base64 (the page's script reads the file). */
  attachment?: unknown;
}

/** A campaign's content: sender, subject and parts (a text, a media file, or both). */
export interface CampaignContent {
  from: string;
  subject: string;
  parts: MmsPart[];
}

export const str = (v: unknown, max: number): string => (typeof v === 'string' ? v.trim().slice(0, max) : '');

/**
 * The content of the input; where the input leaves a field empty, the template's (a text given
 * replaces the template's text, a file given its media). Answers what is wrong, if anything.
 */
export function campaignContent(input: ContentInput, maxSize: number, template?: CampaignContent): CampaignContent | string {
  const from = str(input.from, 64) || template?.from || '';
  const subject = str(input.subject, 200) || template?.subject || '';
  const parts: MmsPart[] = [];
  const text = typeof input.text === 'string' ? input.text : '';
  if (text.trim()) parts.push({ contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, contentId: 'text', contentLocation: 'text.txt', data: Buffer.from(text, 'utf8') });
  else parts.push(...(template?.parts.filter((p) => p.contentId === 'text') ?? []));
  const a = input.attachment as { contentType?: unknown; name?: unknown; data?: unknown } | undefined;
  if (a && typeof a === 'object' && typeof a.data === 'string' && a.data) {
    const type = typeof a.contentType === 'string' ? a.contentType.toLowerCase() : '';
    if (!/^(image|audio|video)\/[a-z0-9.+-]+$/.test(type)) return 'attachment: an image, audio or video file';
    const data = Buffer.from(a.data, 'base64');
    const fileName = (typeof a.name === 'string' ? a.name : 'media').replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60) || 'media';
    parts.push({ contentType: { type, params: {} }, contentId: 'media', contentLocation: fileName, data });
  } else parts.push(...(template?.parts.filter((p) => p.contentId === 'media') ?? []));
  if (parts.length === 0) return 'content: give a text or a media file';
  const size = parts.reduce((n, p) => n + p.data.byteLength, 0);
  if (size > maxSize) return `content: ${size} bytes, larger than limits.maxMessageSize (${maxSize})`;
  return { from, subject, parts };
}
