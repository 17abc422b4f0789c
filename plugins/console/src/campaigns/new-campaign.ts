import { randomBytes } from 'node:crypto';
import { parseRecipientList } from '@openmmsc/campaign';
import type { MmsPart } from '@openmmsc/core';
import type { CampaignState } from './campaign-store.js';

/** Most recipients one campaign takes. */
export const MAX_RECIPIENTS = 100_000;

/** What the form (urlencoded) or the API (JSON) sends to start a campaign. */
export interface CampaignInput {
  name?: unknown;
  from?: unknown;
  subject?: unknown;
  text?: unknown;
  /** One recipient per line, or CSV (first column). */
  recipients?: unknown;
  batch?: unknown;
  /** A media part, base64 (the page's script reads the file). */
  attachment?: unknown;
}

/** The campaign, its recipients and its parts, or what is wrong with the input. */
export function newCampaign(input: CampaignInput, by: string, now: number, maxSize: number): { state: CampaignState; recipients: string[]; parts: MmsPart[] } | string {
  const str = (v: unknown, max: number) => (typeof v === 'string' ? v.trim().slice(0, max) : '');
  const name = str(input.name, 100);
  const from = str(input.from, 64);
  if (!name) return 'name: required';
  if (!from) return 'from: required (the short code or number the campaign is sent from)';
  const { recipients } = parseRecipientList(typeof input.recipients === 'string' ? input.recipients : '');
  if (recipients.length === 0) return 'recipients: none listed';
  if (recipients.length > MAX_RECIPIENTS) return `recipients: at most ${MAX_RECIPIENTS} per campaign`;
  const parts: MmsPart[] = [];
  const text = typeof input.text === 'string' ? input.text : '';
  if (text.trim()) parts.push({ contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, contentId: 'text', contentLocation: 'text.txt', data: Buffer.from(text, 'utf8') });
  const a = input.attachment as { contentType?: unknown; name?: unknown; data?: unknown } | undefined;
  if (a && typeof a === 'object' && typeof a.data === 'string' && a.data) {
    const type = typeof a.contentType === 'string' ? a.contentType.toLowerCase() : '';
    if (!/^(image|audio|video)\/[a-z0-9.+-]+$/.test(type)) return 'attachment: an image, audio or video file';
    const data = Buffer.from(a.data, 'base64');
    const fileName = (typeof a.name === 'string' ? a.name : 'media').replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60) || 'media';
    parts.push({ contentType: { type, params: {} }, contentId: 'media', contentLocation: fileName, data });
  }
  if (parts.length === 0) return 'content: give a text or a media file';
  const size = parts.reduce((n, p) => n + p.data.byteLength, 0);
  if (size > maxSize) return `content: ${size} bytes, larger than limits.maxMessageSize (${maxSize})`;
  const batch = Math.min(100, Math.max(1, Math.floor(Number(input.batch ?? 1)) || 1));
  const subject = str(input.subject, 200);
  const state: CampaignState = {
    id: randomBytes(9).toString('base64url'),
    name,
    createdBy: by,
    createdAt: now,
    from,
    total: recipients.length,
    batch,
    state: 'running',
    next: 0,
    claims: {},
    done: 0,
    accepted: 0,
    rejected: 0,
  };
  if (subject) state.subject = subject;
  return { state, recipients, parts };
}
