import { randomBytes } from 'node:crypto';
import { parseRecipientList } from '@openmmsc/campaign';
import type { MmsPart } from '@openmmsc/core';
import type { CampaignState } from './campaign-store.js';
import { campaignContent, str, type CampaignContent, type ContentInput } from './content.js';

/** Most recipients one campaign takes. */
export const MAX_RECIPIENTS = 100_000;

/** What the form (urlencoded) or the API (JSON) sends to start a campaign. */
export interface CampaignInput extends ContentInput {
  name?: unknown;
  /** One recipient per line, or CSV (first column). */
  recipients?: unknown;
  batch?: unknown;
  /** A saved template's id: its sender, subject, text and media fill what the input leaves empty. */
  template?: unknown;
}

/** The campaign, its recipients and its parts, or what is wrong with the input. */
export function newCampaign(input: CampaignInput, by: string, now: number, maxSize: number, template?: CampaignContent): { state: CampaignState; recipients: string[]; parts: MmsPart[] } | string {
  const name = str(input.name, 100);
  if (!name) return 'name: required';
  const content = campaignContent(input, maxSize, template);
  if (typeof content === 'string') return content;
  const { from, subject, parts } = content;
  if (!from) return 'from: required (the short code or number the campaign is sent from)';
  const { recipients } = parseRecipientList(typeof input.recipients === 'string' ? input.recipients : '');
  if (recipients.length === 0) return 'recipients: none listed';
  if (recipients.length > MAX_RECIPIENTS) return `recipients: at most ${MAX_RECIPIENTS} per campaign`;
  const batch = Math.min(100, Math.max(1, Math.floor(Number(input.batch ?? 1)) || 1));
  const state: CampaignState = {
    id: randomBytes(9).toString('base64url'),
    name,
    createdBy: by,
    createdAt: now,
    from,
    total: recipients.length,
    batch,
    state: 'running',
    countedBelow: 0,
    countedAbove: [],
    done: 0,
    accepted: 0,
    rejected: 0,
  };
  if (subject) state.subject = subject;
  return { state, recipients, parts };
}
