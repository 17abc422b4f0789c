import { createHash } from 'node:crypto';
import type { Counters, MessageContext, MmsPart } from '@openmmsc/core';
import type { AntispamOptions } from './options.js';

/** A message's spam score and the rules that added to it. */
export interface SpamScore {
  score: number;
  reasons: string[];
}

function partText(p: MmsPart): string {
  return Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).toString(p.contentType.params.charset?.toLowerCase() === 'utf-16' ? 'utf16le' : 'utf8');
}

export function contentHash(parts: readonly MmsPart[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p.contentType.type);
    h.update('\0');
    h.update(p.data);
    h.update('\0');
  }
  return h.digest('hex');
}

function typeMatches(rule: string, type: string): boolean {
  const r = rule.toLowerCase();
  return r.endsWith('/*') ? type.startsWith(r.slice(0, -1)) : r === type;
}

/** Scores a message by keywords, content types and how many recipients got the same content lately. */
export class SpamScorer {
  private readonly keywords: Array<AntispamOptions['keywords'][number] & { re: RegExp | undefined; lower: string }>;

  constructor(
    private readonly o: AntispamOptions,
    private readonly counters: Counters,
  ) {
    this.keywords = o.keywords.map((k) => ({ ...k, re: k.regex ? new RegExp(k.pattern, 'i') : undefined, lower: k.pattern.toLowerCase() }));
  }

  async score(msg: MessageContext): Promise<SpamScore> {
    let score = 0;
    const reasons: string[] = [];
    if (this.keywords.length) {
      const text = [msg.message.headers.subject?.text ?? '', ...msg.message.parts.filter((p) => p.contentType.type.startsWith('text/')).map(partText)].join('\n');
      const lower = text.toLowerCase();
      for (const k of this.keywords) {
        if (k.re ? k.re.test(text) : lower.includes(k.lower)) {
          score += k.score;
          reasons.push(`keyword ${k.pattern}`);
        }
      }
    }
    for (const rule of this.o.contentTypes) {
      if (msg.message.parts.some((p) => typeMatches(rule.type, p.contentType.type))) {
        score += rule.score;
        reasons.push(`content type ${rule.type}`);
      }
    }
    if (this.o.duplicates.enabled) {
      const hash = contentHash(msg.message.parts);
      const count = await this.counters.distinct(`dup:${hash}`, msg.recipients.map((r) => r.key), this.o.duplicates.window);
      if (count > this.o.duplicates.maxRecipients) {
        score += this.o.duplicates.score;
        reasons.push(`same content to ${count} recipients`);
        msg.attributes['antispam.duplicates'] = count;
      }
    }
    return { score, reasons };
  }
}
