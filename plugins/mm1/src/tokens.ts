import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { BoundedMap, base32 as toBase32 } from '@openmmsc/core';

/** How many content tokens issued or checked lately are remembered (seconds of traffic at 500 messages/s). */
const TOKENS_KEPT = 2048;

/**
 * Unguessable tokens for the URLs MM1 hands out, signed instead of stored: a token names what it
 * opens (message, recipient, and for web links an expiry) and carries an HMAC over that with a
 * secret shared by every node. Issuing or checking one costs no store access, and any node of a
 * cluster can serve any token.
 *
 * - content token (`/m/<token>`, also the notification's transaction id): `<messageId>.<index>.<mac>`
 * - web-link token (`/v/<token>`): `<messageId>.<index>.<expires, base36 seconds>.<mac>`
 * - report token (`/r/<token>`): `<base64url JSON>.<mac>`
 * - MMBox token (`/b/<token>`, a message kept in a subscriber's MMBox): `<kept message id>.<mac>`
 */
export class TokenSigner {
  private readonly key: Buffer;
  /**
   * Content tokens issued lately, by message and recipient: a notification carries its token
   * twice (transaction id, Content-Location), built with other notifications' in between.
   */
  private readonly issued = new BoundedMap<string, string>(TOKENS_KEPT);
  /**
   * Content tokens known good, exactly as written: issued here, or whose MAC was checked. The
   * handset's fetch opens the token its notification carried, and its acknowledgement again.
   */
  private readonly opened = new BoundedMap<string, { messageId: string; index: number }>(TOKENS_KEPT);

  constructor(
    secret: string | Buffer,
    private readonly macBytes: number,
  ) {
    this.key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  }

  static newSecret(): string {
    return randomBytes(32).toString('base64url');
  }

  private mac(purpose: string, body: string, bytes = this.macBytes, base32 = false): string {
    const digest = createHmac('sha256', this.key).update(purpose).update('\0').update(body).digest().subarray(0, bytes);
    return base32 ? toBase32(digest) : digest.toString('base64url');
  }

  private check(purpose: string, body: string, mac: string, bytes = this.macBytes, base32 = false): boolean {
    const want = Buffer.from(this.mac(purpose, body, bytes, base32));
    const got = Buffer.from(mac);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  /** Content-Location token for one recipient of one message. */
  content(messageId: string, index: number): string {
    const body = `${messageId}.${index.toString(36)}`;
    const known = this.issued.get(body);
    if (known) return known;
    const token = `${body}.${this.mac('c', body)}`;
    this.issued.set(body, token);
    this.opened.set(token, { messageId, index });
    return token;
  }

  openContent(token: string): { messageId: string; index: number } | undefined {
    const seen = this.opened.get(token);
    if (seen) return { ...seen };
    const m = /^([a-z2-7]{1,64})\.([0-9a-z]{1,6})\.([A-Za-z0-9_-]{8,100})$/.exec(token);
    if (!m) return undefined;
    const body = `${m[1]}.${m[2]}`;
    if (!this.check('c', body, m[3]!)) return undefined;
    const ref = { messageId: m[1]!, index: parseInt(m[2]!, 36) };
    this.opened.set(token, ref);
    return { ...ref };
  }

  /** Content-Location of a message kept in an MMBox. */
  box(keptId: string): string {
    return `${keptId}.${this.mac('b', keptId)}`;
  }

  openBox(token: string): string | undefined {
    const m = /^([a-z2-7]{1,64})\.([A-Za-z0-9_-]{8,100})$/.exec(token);
    if (!m || !this.check('b', m[1]!, m[2]!)) return undefined;
    return m[1]!;
  }

  /** Short-lived web-link token: short and in characters every SMS alphabet carries (it goes into a text SMS). */
  view(messageId: string, index: number, expiresAt: number): string {
    const body = `${messageId}.${index.toString(36)}.${Math.ceil(expiresAt / 1000).toString(36)}`;
    return `${body}.${this.mac('v', body, 12, true)}`;
  }

  openView(token: string, now: number): { messageId: string; index: number; expiresAt: number; expired: boolean } | undefined {
    const m = /^([a-z2-7]{1,64})\.([0-9a-z]{1,6})\.([0-9a-z]{1,10})\.([a-z2-7]{20})$/.exec(token);
    if (!m) return undefined;
    const body = `${m[1]}.${m[2]}.${m[3]}`;
    if (!this.check('v', body, m[4]!, 12, true)) return undefined;
    const expiresAt = parseInt(m[3]!, 36) * 1000;
    return { messageId: m[1]!, index: parseInt(m[2]!, 36), expiresAt, expired: now > expiresAt };
  }

  /** A signed, self-contained value (a report PDU's fields). */
  seal(value: unknown): string {
    const body = Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${body}.${this.mac('r', body)}`;
  }

  unseal<T>(token: string): T | undefined {
    const dot = token.lastIndexOf('.');
    if (dot <= 0 || token.length > 4096) return undefined;
    const body = token.slice(0, dot);
    if (!/^[A-Za-z0-9_-]+$/.test(body) || !this.check('r', body, token.slice(dot + 1))) return undefined;
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
    } catch {
      return undefined;
    }
  }
}
