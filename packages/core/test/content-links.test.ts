/**
 * ContentLinks: HMAC-SHA256-signed links to stored content. One key per deployment: the
 * configured `links.secret`, else one generated on first start and kept in the store, which a
 * second node on the same store (or the same node after a restart) reads back.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMmsc, definePlugin, HmacContentLinks, Services, type ContentLinks, type Mmsc } from '@openmmsc/core';

const KEY = 'a-deployment-key-of-32-characters!';
const DAY = 86_400_000;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openmmsc-links-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An MMSC on `store`, with a plugin that takes the kernel's ContentLinks from setup on. */
async function start(store: string, secret?: string): Promise<{ mmsc: Mmsc; links: ContentLinks }> {
  let links: ContentLinks | undefined;
  const grab = definePlugin({ name: 'grab-links', version: '0.0.0', apiVersion: '^1.0.0', setup: (ctx) => void (links = ctx.services.get(Services.ContentLinks)) });
  const mmsc = await createMmsc({
    config: { store: { type: 'sqlite', path: join(dir, store) }, admin: { enabled: false }, log: { level: 'silent' }, ...(secret ? { links: { secret } } : {}) },
    plugins: [grab],
  });
  return { mmsc, links: links! };
}

const query = (path: string) => Object.fromEntries(new URL(path, 'http://x').searchParams);
const check = (links: ContentLinks, path: string, now = Date.now()) => {
  const [, , id, part] = new URL(path, 'http://x').pathname.split('/');
  return links.verify({ messageId: id!, part: part!, query: query(path) }, now);
};

describe('ContentLinks', () => {
  it('the tag is HMAC-SHA256 over purpose, message, part, recipient and expiry, in base64url', () => {
    const path = new HmacContentLinks(KEY).sign({ messageId: 'abcdefghijklmnopqrstuvwx', part: 2, recipient: '+15550000002', expiresAt: 1_800_000_000_000 });
    const e = (1_800_000_000).toString(36);
    const tag = createHmac('sha256', KEY).update(['openmmsc/content-link/1', 'abcdefghijklmnopqrstuvwx', '2', '+15550000002', e].join('\0')).digest('base64url');
    assert.equal(path, `/o/abcdefghijklmnopqrstuvwx/2?e=${e}&r=%2B15550000002&s=${tag}`);
  });

  it('verify: valid, unsigned, forged, truncated, expired', () => {
    const links = new HmacContentLinks(KEY);
    const now = Date.now();
    const path = links.sign({ messageId: 'abcdefghijklmnopqrstuvwx', part: 0, expiresAt: now + DAY });
    assert.deepEqual(check(links, path, now), { ok: true, messageId: 'abcdefghijklmnopqrstuvwx', part: 0, expiresAt: Math.ceil((now + DAY) / 1000) * 1000 });
    assert.deepEqual(check(links, '/o/abcdefghijklmnopqrstuvwx/0', now), { ok: false, why: 'unsigned' });
    assert.deepEqual(check(new HmacContentLinks(`${KEY}x`), path, now), { ok: false, why: 'forged' });
    assert.deepEqual(check(links, path.replace('/0?', '/1?'), now), { ok: false, why: 'forged' });
    assert.deepEqual(check(links, path.slice(0, -2), now), { ok: false, why: 'forged' });
    assert.deepEqual(check(links, `${path}AA`, now), { ok: false, why: 'forged' });
    assert.deepEqual(check(links, path, now + 2 * DAY), { ok: false, why: 'expired' });
  });

  it('without links.secret a key is generated once and kept in the store: a restart and another node sign alike', async () => {
    const a = await start('shared.sqlite');
    const path = a.links.sign({ messageId: 'abcdefghijklmnopqrstuvwx', part: 1, expiresAt: Date.now() + DAY });
    await a.mmsc.stop();
    const b = await start('shared.sqlite');
    try {
      assert.equal(check(b.links, path).ok, true, 'the key survived the restart');
    } finally {
      await b.mmsc.stop();
    }
    const other = await start('other.sqlite');
    try {
      assert.deepEqual(check(other.links, path), { ok: false, why: 'forged' }, 'another deployment has its own key');
    } finally {
      await other.mmsc.stop();
    }
  });

  it('links.secret is the key when given', async () => {
    const { mmsc, links } = await start('configured.sqlite', KEY);
    try {
      const path = links.sign({ messageId: 'abcdefghijklmnopqrstuvwx', part: 0, expiresAt: Date.now() + DAY });
      assert.equal(check(new HmacContentLinks(KEY), path).ok, true);
    } finally {
      await mmsc.stop();
    }
  });
});
