import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HmacContentLinks, type MmsPart } from '@openmmsc/core';
import iconv from 'iconv-lite';
import sharp from 'sharp';
import { adaptParts, ClassTable, DEFAULT_CLASSES, localBackend, parseSmil, type AdaptSettings } from '../src/index.js';
import { photoAs, photoPng, tools } from './helpers.js';

const settings: AdaptSettings = { headerOverhead: 1024, minImageBytes: 3000, jpegQuality: { max: 85, min: 40 }, overlongMedia: 'trim', publicBaseUrl: 'https://mms.example.net/', links: new HmacContentLinks('a test secret of at least 32 characters') };
/** Links to originals are signed and expire with the message. */
const expiresAt = Date.now() + 86_400_000;
const table = new ClassTable({ classes: DEFAULT_CLASSES, targets: {}, peers: [] });
const sum = (parts: readonly MmsPart[]) => parts.reduce((n, p) => n + p.data.byteLength, 0);

function smilFor(names: string[]): MmsPart {
  const pars = names.map((n) => `<par dur="4000ms"><img src="${n}" region="Image"/><text src="caption.txt" region="Text"/></par>`).join('');
  const xml = `<?xml version="1.0"?><!DOCTYPE smil PUBLIC "-//W3C//DTD SMIL 2.0//EN" "http://www.w3.org/2001/SMIL20/SMIL20.dtd"><smil><head><layout><root-layout width="320" height="480"/><region id="Image" top="0" left="0" width="320" height="360" fit="meet"/><region id="Text" top="360" left="0" width="320" height="120"/></layout></head><body>${pars}</body></smil>`;
  return { contentType: { type: 'application/smil', params: {} }, contentId: '<smil>', contentLocation: 'smil.xml', data: Buffer.from(xml) };
}

describe('message adaptation', () => {
  it('a message of five large images is split to fit the 300 KB class, SMIL follows the new parts', async () => {
    const names = ['a.png', 'b.png', 'c.webp', 'd.png', 'e.png'];
    const images: MmsPart[] = [];
    for (const [i, n] of names.entries()) {
      const data = n.endsWith('.webp') ? await photoAs('webp', 2000, 1500, 10) : await photoPng(2000 + i * 100, 1500, 10);
      images.push({ contentType: { type: n.endsWith('.webp') ? 'image/webp' : 'image/png', params: { name: n } }, contentId: `<img${i}>`, contentLocation: n, data });
    }
    const caption: MmsPart = { contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, contentLocation: 'caption.txt', data: Buffer.from('Holiday pictures!') };
    const parts = [smilFor(names), ...images, caption];
    assert.ok(sum(parts) > 5 * 1024 * 1024, `source is ${sum(parts)} bytes`);
    const caps = table.byName('300k')!;
    const r = await adaptParts({ messageId: 'M1', expiresAt, parts, caps }, localBackend({ tools: await tools(), timeoutMs: 30_000 }, settings), settings);
    assert.equal(r.changed, true);
    assert.ok(r.size <= 300 * 1024 - 1024 - 64 * parts.length, `total ${r.size}`);
    assert.equal(r.parts.length, parts.length);
    const adapted = r.parts.slice(1, 6);
    for (const [i, p] of adapted.entries()) {
      assert.equal(p.contentType.type, 'image/jpeg', `image ${i} is JPEG`);
      assert.equal(p.contentId, `<img${i}>`, 'Content-ID kept');
      assert.equal(p.contentLocation, names[i]!.replace(/\.\w+$/, '.jpg'));
      assert.equal(p.contentType.params.name, names[i]!.replace(/\.\w+$/, '.jpg'));
      const meta = await sharp(p.data).metadata();
      assert.ok(meta.width! <= 1600 && meta.height! <= 1200);
      assert.ok(p.data.byteLength > 20_000, `each image got a fair share (${p.data.byteLength})`);
    }
    const smil = r.parts[0]!.data.toString();
    for (const n of names) {
      assert.ok(!smil.includes(`"${n}"`), `old name ${n} gone`);
      assert.ok(smil.includes(`src="${n.replace(/\.\w+$/, '.jpg')}"`), `new name for ${n}`);
    }
    assert.ok(smil.includes('root-layout width="320"'), 'layout kept');
    assert.equal(parseSmil(smil, r.parts)?.slides.length, 5);
    assert.equal(r.parts[6], caption, 'text untouched');
  });

  it('a part that cannot be adapted becomes a notice with a link to the original, in the SMIL too', async () => {
    const pdf: MmsPart = { contentType: { type: 'application/pdf', params: {} }, contentLocation: 'doc.pdf', data: Buffer.alloc(5000, 1) };
    const png = await photoPng(800, 600, 2);
    const image: MmsPart = { contentType: { type: 'image/png', params: {} }, contentLocation: 'pic.png', data: png };
    const parts = [smilFor(['pic.png']), image, pdf];
    // A class so small the picture cannot fit.
    const caps = { ...table.byName('100k')!, class: 'tiny', maxMessageSize: 4000 };
    const r = await adaptParts({ messageId: 'MSG-7', expiresAt, parts, caps }, localBackend({ tools: await tools(), timeoutMs: 30_000 }, settings), settings);
    assert.ok(r.size <= 4000 - 1024 - 64 * 3);
    const notice = r.parts[1]!;
    assert.equal(notice.contentType.type, 'text/plain');
    const text = notice.data.toString();
    assert.match(text, /The picture "pic\.png" \(image\/png, [\d.]+ [KM]B\) was removed/);
    assert.match(text, /https:\/\/mms\.example\.net\/o\/MSG-7\/1/);
    const pdfNotice = r.parts[2]!.data.toString();
    assert.match(pdfNotice, /this phone does not take application\/pdf/);
    assert.match(pdfNotice, /\/o\/MSG-7\/2/);
    const smil = r.parts[0]!.data.toString();
    assert.match(smil, /<text src="removed-1\.txt" region="Image"\/>/);
    assert.ok(r.notes.some((n) => n.includes('replaced by a notice')));
  });

  it('text is re-encoded to a charset the handset reads', async () => {
    const text: MmsPart = { contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, data: Buffer.from('Grüße aus Köln') };
    const caps = { class: 'latin', charsets: ['iso-8859-1', 'us-ascii'] };
    const r = await adaptParts({ messageId: 'T', expiresAt, parts: [text], caps }, localBackend({ tools: await tools(), timeoutMs: 30_000 }, settings), settings);
    const out = r.parts[0]!;
    assert.equal(out.contentType.params.charset, 'iso-8859-1');
    assert.equal(iconv.decode(Buffer.from(out.data), 'iso-8859-1'), 'Grüße aus Köln');
    // Text a charset cannot hold goes to the next one that can.
    const greek: MmsPart = { contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, data: Buffer.from('Καλημέρα') };
    const r2 = await adaptParts({ messageId: 'T', expiresAt, parts: [greek], caps: { class: 'x', charsets: ['iso-8859-1', 'utf-8'] } }, localBackend({ tools: await tools(), timeoutMs: 30_000 }, settings), settings);
    assert.equal(r2.changed, false);
  });

  it('a message that already suits the class is not touched', async () => {
    const small = await photoAs('jpeg', 320, 240);
    const parts: MmsPart[] = [{ contentType: { type: 'image/jpeg', params: {} }, data: small }, { contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, data: Buffer.from('hi') }];
    const r = await adaptParts({ messageId: 'U', expiresAt, parts, caps: table.byName('300k')! }, localBackend({ tools: await tools(), timeoutMs: 30_000 }, settings), settings);
    assert.equal(r.changed, false);
    assert.equal(r.parts[0], parts[0]);
  });
});
