import { randomBytes } from 'node:crypto';
import type { KeyValueStore } from '@openmmsc/core';
import { campaignContent, str, type CampaignContent, type ContentInput } from './content.js';

/** A campaign's content saved under a name, to start campaigns from. */
export interface CampaignTemplate extends CampaignContent {
  id: string;
  name: string;
  createdBy: string;
  createdAt: number;
}

/** A template as lists show it: the text in full, the media by type, name and size. */
export interface TemplateSummary {
  id: string;
  name: string;
  from: string;
  subject: string;
  text: string;
  media?: { contentType: string; name: string; size: number };
  createdBy: string;
  createdAt: number;
}

const LIST = 'templates';
/** Most templates kept (the oldest goes when one more is saved). */
export const MAX_TEMPLATES = 200;

export function summary(t: CampaignTemplate): TemplateSummary {
  const text = t.parts.find((p) => p.contentId === 'text');
  const media = t.parts.find((p) => p.contentId === 'media');
  const out: TemplateSummary = { id: t.id, name: t.name, from: t.from, subject: t.subject, text: text ? Buffer.from(text.data).toString('utf8') : '', createdBy: t.createdBy, createdAt: t.createdAt };
  if (media) out.media = { contentType: media.contentType.type, name: media.contentLocation ?? 'media', size: media.data.byteLength };
  return out;
}

/** Templates in the plugin's key/value space (shared: every node of a cluster has them). */
export class TemplateStore {
  constructor(private readonly kv: KeyValueStore) {}

  async list(): Promise<CampaignTemplate[]> {
    const ids = (await this.kv.get<string[]>(LIST)) ?? [];
    return (await Promise.all(ids.map((id) => this.get(id)))).filter((t) => t !== undefined);
  }

  get(id: string): Promise<CampaignTemplate | undefined> {
    return /^[A-Za-z0-9_-]{1,32}$/.test(id) ? this.kv.get<CampaignTemplate>(`template:${id}`) : Promise.resolve(undefined);
  }

  /** Saves content under a name; answers what is wrong (a name in use, no content) as a string. */
  async save(name: unknown, content: ContentInput | CampaignContent, by: string, now: number, maxSize: number): Promise<CampaignTemplate | string> {
    const n = str(name, 100);
    if (!n) return 'name: required';
    const made = 'parts' in content ? content : campaignContent(content, maxSize);
    if (typeof made === 'string') return made;
    if ((await this.list()).some((t) => t.name.toLowerCase() === n.toLowerCase())) return `name: a template named “${n}” exists (delete it first)`;
    const t: CampaignTemplate = { id: randomBytes(9).toString('base64url'), name: n, from: made.from, subject: made.subject, parts: made.parts, createdBy: by, createdAt: now };
    await this.kv.set(`template:${t.id}`, t);
    let dropped: string[] = [];
    await this.kv.update<string[]>(LIST, (ids) => {
      const next = [t.id, ...(ids ?? []).filter((x) => x !== t.id)];
      dropped = next.slice(MAX_TEMPLATES);
      return next.slice(0, MAX_TEMPLATES);
    });
    for (const id of dropped) await this.kv.delete(`template:${id}`);
    return t;
  }

  async delete(id: string): Promise<boolean> {
    const t = await this.get(id);
    if (!t) return false;
    await this.kv.update<string[]>(LIST, (ids) => (ids ?? []).filter((x) => x !== id));
    await this.kv.delete(`template:${id}`);
    return true;
  }
}
