import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyValueStore } from './message-store.js';

/**
 * Signed links to stored content, which a holder opens without any other credential (MM11's
 * "see the original" links, served by MM1 at `/o/<messageId>/<part>`): the kernel signs what a
 * link opens and until when, and checks it on the way back, so a guessed or edited link opens
 * nothing and every link dies with its message.
 */
export interface ContentLinks {
  /** The path of a link (`/o/<messageId>/<part>?e=…&s=…`, with `&r=…` when bound to a recipient). */
  sign(link: ContentLinkTarget): string;
  /** Checks a link's parts as its route received them; in constant time over the signature. */
  verify(link: { messageId: string; part: string | number; query: Readonly<Record<string, unknown>> }, now: number): ContentLinkCheck;
}

export interface ContentLinkTarget {
  messageId: string;
  part: number;
  /** The recipient the link was made for (its address key); checked along with the rest. */
  recipient?: string;
  /** When the link stops opening (epoch ms): the message's expiry. */
  expiresAt: number;
}

export type ContentLinkCheck =
  | { ok: true; messageId: string; part: number; recipient?: string; expiresAt: number }
  | { ok: false; why: 'unsigned' | 'forged' | 'expired' };

const PURPOSE = 'openmmsc/content-link/1';
/** Where a generated key is kept (`kernel:content-links` in the store): every node reads the same. */
export const CONTENT_LINK_KEY_ENTRY = 'key';

/** HMAC-SHA256 over purpose, message, part, recipient and expiry; the whole 32-byte tag, base64url. */
export class HmacContentLinks implements ContentLinks {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(secret, 'utf8');
  }

  sign(link: ContentLinkTarget): string {
    const e = Math.ceil(link.expiresAt / 1000).toString(36);
    const r = link.recipient ? `&r=${encodeURIComponent(link.recipient)}` : '';
    const s = this.tag(link.messageId, String(link.part), link.recipient ?? '', e).toString('base64url');
    return `/o/${encodeURIComponent(link.messageId)}/${link.part}?e=${e}${r}&s=${s}`;
  }

  verify(link: { messageId: string; part: string | number; query: Readonly<Record<string, unknown>> }, now: number): ContentLinkCheck {
    const { e, r, s } = link.query;
    if (s === undefined && e === undefined) return { ok: false, why: 'unsigned' };
    if (typeof s !== 'string' || typeof e !== 'string' || !/^[0-9a-z]{1,10}$/.test(e) || (r !== undefined && typeof r !== 'string')) return { ok: false, why: 'forged' };
    const part = String(link.part);
    const want = this.tag(link.messageId, part, r ?? '', e);
    const got = Buffer.from(s, 'base64url');
    // A truncated or padded tag is as wrong as an edited one; only equal lengths are compared.
    if (got.length !== want.length || !timingSafeEqual(got, want) || got.toString('base64url') !== s) return { ok: false, why: 'forged' };
    const expiresAt = parseInt(e, 36) * 1000;
    if (now >= expiresAt) return { ok: false, why: 'expired' };
    return { ok: true, messageId: link.messageId, part: Number(part), ...(r ? { recipient: r } : {}), expiresAt };
  }

  private tag(messageId: string, part: string, recipient: string, e: string): Buffer {
    return createHmac('sha256', this.key).update([PURPOSE, messageId, part, recipient, e].join('\0')).digest();
  }
}

/**
 * The key links are signed with: `links.secret` from config (`${env:…}` keeps it out of the
 * file), else one generated on first use and kept in the store, written once with an atomic
 * update so that every node of a cluster (sharing the store) signs and checks with the same key.
 */
export async function contentLinkSecret(configured: string | undefined, kv: KeyValueStore): Promise<string> {
  if (configured) return configured;
  return kv.update<string>(CONTENT_LINK_KEY_ENTRY, (current) => current ?? randomBytes(32).toString('base64url'));
}
