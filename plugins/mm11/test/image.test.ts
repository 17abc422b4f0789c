import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { adaptImage, DEFAULT_CLASSES, fitBox, type ImageTarget } from '../src/index.js';
import { requireSystem, systemCommand } from '@openmmsc/testkit/system';
import { animatedGif, photoAs, photoPng, requireImageMagickHeic, tools } from './helpers.js';

const cls = (name: string) => DEFAULT_CLASSES.find((c) => c.name === name)!;
const target = (name: string, budget: number, extra: Partial<ImageTarget> = {}): ImageTarget => {
  const c = cls(name);
  return { accept: c.accept!, maxWidth: c.maxImageWidth!, maxHeight: c.maxImageHeight!, budget, quality: { max: 85, min: 40 }, ...extra };
};

describe('images', () => {
  it('fits the box in either orientation', () => {
    assert.deepEqual(fitBox(4000, 3000, 1600, 1200), { width: 1600, height: 1200 });
    assert.deepEqual(fitBox(3000, 4000, 1600, 1200), { width: 1200, height: 1600 });
    assert.deepEqual(fitBox(800, 100, 640, 480), { width: 640, height: 80 });
    assert.deepEqual(fitBox(300, 200, 640, 480), { width: 300, height: 200 });
  });

  it('a 4000×3000 PNG to a 300 KB-class handset arrives as a JPEG under 300 KB at 1600×1200', async () => {
    const png = await photoPng(4000, 3000);
    assert.ok(png.length > 10 * 1024 * 1024, `source is a big PNG (${png.length})`);
    const env = { tools: await tools(), timeoutMs: 30_000 };
    const budget = 300 * 1024 - 2048;
    const r = await adaptImage(png, 'image/png', target('300k', budget), env);
    assert.equal(r.kind, 'adapted', r.kind === 'failed' ? r.reason : '');
    if (r.kind !== 'adapted') return;
    assert.equal(r.type, 'image/jpeg');
    assert.ok(r.data.length < 300 * 1024 && r.data.length <= budget, `${r.data.length} bytes`);
    const meta = await sharp(r.data).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.width, 1600);
    assert.equal(meta.height, 1200);
    // The quality search used the room: not a blind minimum-quality encode.
    assert.ok(r.data.length > budget * 0.6, `uses the budget (${r.data.length} of ${budget})`);
    assert.match(r.note, /image\/png 4000×3000 .* → image\/jpeg 1600×1200 q\d+/);
  });

  it('a detailed photo to a 100 KB class: smaller picture, same aspect, under budget', async () => {
    const png = await photoPng(3000, 4000, 4);
    const r = await adaptImage(png, 'image/png', target('100k', 90_000), { tools: await tools(), timeoutMs: 30_000 });
    assert.equal(r.kind, 'adapted');
    if (r.kind !== 'adapted') return;
    const meta = await sharp(r.data).metadata();
    assert.ok(r.data.length <= 90_000);
    assert.ok(meta.width! <= 480 && meta.height! <= 640, `${meta.width}×${meta.height} is portrait within 480×640`);
    assert.ok(Math.abs(meta.width! / meta.height! - 0.75) < 0.02, 'aspect ratio kept');
  });

  it('WebP to a handset without WebP becomes JPEG', async () => {
    const webp = await photoAs('webp', 800, 600);
    const r = await adaptImage(webp, 'image/webp', target('300k', 200_000), { tools: await tools(), timeoutMs: 30_000 });
    assert.equal(r.kind, 'adapted');
    if (r.kind !== 'adapted') return;
    assert.equal(r.type, 'image/jpeg');
    const meta = await sharp(r.data).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.width, 800, 'no resize needed');
    // A handset that takes WebP keeps it untouched.
    const keep = await adaptImage(webp, 'image/webp', target('300k', 200_000, { accept: ['image/*'] }), { tools: await tools(), timeoutMs: 30_000 });
    assert.equal(keep.kind, 'unchanged');
  });

  it('AVIF and TIFF are converted too', async () => {
    for (const f of ['avif', 'tiff'] as const) {
      const src = await photoAs(f, 640, 480);
      const r = await adaptImage(src, `image/${f}`, target('100k', 80_000), { tools: await tools(), timeoutMs: 30_000 });
      assert.equal(r.kind, 'adapted', f);
      if (r.kind === 'adapted') assert.equal(r.type, 'image/jpeg', f);
    }
  });

  it('an animated GIF stays animated when accepted and within budget', async () => {
    const gif = await animatedGif(320, 240, 6);
    const env = { tools: await tools(), timeoutMs: 30_000 };
    const fits = await adaptImage(gif, 'image/gif', target('300k', 2_000_000), env);
    assert.equal(fits.kind, 'unchanged');
    const r = await adaptImage(gif, 'image/gif', target('100k', Math.floor(gif.length / 3)), env);
    assert.equal(r.kind, 'adapted', r.kind === 'failed' ? r.reason : '');
    if (r.kind !== 'adapted') return;
    assert.ok(r.data.length <= gif.length / 3);
    const meta = await sharp(r.data, { animated: true }).metadata();
    assert.equal(r.type, 'image/gif');
    assert.equal(meta.pages, 6, 'still 6 frames');
  });

  it('a PNG with transparency stays PNG when accepted and it fits', async () => {
    const png = await sharp({ create: { width: 2000, height: 2000, channels: 4, background: { r: 200, g: 20, b: 20, alpha: 0.5 } } })
      .composite([{ input: Buffer.from('<svg width="2000" height="2000"><circle cx="1000" cy="1000" r="800" fill="blue"/></svg>') }])
      .png()
      .toBuffer();
    const r = await adaptImage(png, 'image/png', target('300k', 200_000), { tools: await tools(), timeoutMs: 30_000 });
    assert.equal(r.kind, 'adapted');
    if (r.kind !== 'adapted') return;
    assert.equal(r.type, 'image/png');
    const meta = await sharp(r.data).metadata();
    assert.equal(meta.hasAlpha, true);
    assert.equal(meta.width, 1200);
  });

  it('a picture that cannot fit says why', async () => {
    const png = await photoPng(800, 600, 2);
    const r = await adaptImage(png, 'image/png', target('100k', 600), { tools: await tools(), timeoutMs: 30_000 });
    assert.equal(r.kind, 'failed');
  });

  it('HEIC goes through ImageMagick to JPEG', { skip: requireSystem('imagemagick') }, async () => {
    const t = await requireImageMagickHeic();
    const dir = mkdtempSync(join(tmpdir(), 'mm11-heic-'));
    let heic: Buffer;
    try {
      writeFileSync(join(dir, 'in.png'), await photoPng(1200, 900));
      const made = spawnSync(systemCommand('convert', 'imagemagick'), [join(dir, 'in.png'), '-quality', '60', join(dir, 'out.heic')], { encoding: 'utf8' });
      if (made.status !== 0) throw new Error(`ImageMagick could not write HEIC for the test: ${made.stderr}`);
      heic = readFileSync(join(dir, 'out.heic'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const r = await adaptImage(heic, 'image/heic', target('100k', 90_000), { tools: t, timeoutMs: 30_000 });
    assert.equal(r.kind, 'adapted', r.kind === 'failed' ? r.reason : '');
    if (r.kind !== 'adapted') return;
    assert.equal(r.type, 'image/jpeg');
    const meta = await sharp(r.data).metadata();
    assert.deepEqual([meta.width, meta.height], [640, 480]);
  });

  it('HEIC without ImageMagick fails with a clear reason', async () => {
    const t = await tools();
    const r = await adaptImage(Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1'), 'image/heic', target('100k', 90_000), { tools: { ...t, imagemagick: false }, timeoutMs: 5000 });
    assert.equal(r.kind, 'failed');
    if (r.kind === 'failed') assert.match(r.reason, /ImageMagick/);
  });
});
