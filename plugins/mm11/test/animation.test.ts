import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { HmacContentLinks, type MmsPart } from '@openmmsc/core';
import { adaptImage, adaptParts, localBackend, type AdaptationCapabilities, type AdaptSettings } from '../src/index.js';
import { requireSystem } from '@openmmsc/testkit/system';
import { animatedGif, ffmpegMake, requireFfmpeg } from './helpers.js';
import { videoFacts } from './video-oracles.js';

const settings: AdaptSettings = { headerOverhead: 1024, minImageBytes: 3000, jpegQuality: { max: 85, min: 40 }, overlongMedia: 'trim', publicBaseUrl: 'https://mms.example.net', links: new HmacContentLinks('a test secret of at least 32 characters') };
/** Links to originals are signed and expire with the message. */
const expiresAt = Date.now() + 86_400_000;
const quality = { max: 85, min: 40 };
type Tools = Awaited<ReturnType<typeof requireFfmpeg>>;

/** Frames and duration as ffprobe reads them (not sharp, which wrote them). */
const gifFacts = (data: Uint8Array) => videoFacts(data, 'gif');

function message(gif: Buffer): MmsPart[] {
  const smil = `<smil><head><layout><root-layout width="176" height="208"/><region id="Image" top="0" left="0" width="176" height="144"/><region id="Text" top="144" left="0" width="176" height="64"/></layout></head><body><par dur="5000ms"><img src="dance.gif" region="Image"/><text src="hi.txt" region="Text"/></par></body></smil>`;
  return [
    { contentType: { type: 'application/smil', params: {} }, contentId: '<smil>', contentLocation: 'smil.xml', data: Buffer.from(smil) },
    { contentType: { type: 'image/gif', params: { name: 'dance.gif' } }, contentId: '<dance>', contentLocation: 'dance.gif', data: gif },
    { contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, contentLocation: 'hi.txt', data: Buffer.from('Look!') },
  ];
}

describe('animated GIFs are never silently reduced to one frame', { skip: requireSystem('ffmpeg') }, () => {
  let tools: Tools;
  let smooth: Buffer;
  let noisy: Buffer;
  before(async () => {
    tools = await requireFfmpeg();
    // 24 frames of 40 ms from ffmpeg's GIF encoder (smooth motion) …
    smooth = ffmpegMake(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=0.96', '-f', 'gif'], 'gif');
    // … and 6 frames of 100 ms of coloured noise from sharp (hard to compress).
    noisy = await animatedGif(320, 240, 6);
    const s = gifFacts(smooth);
    assert.equal(s.frames, 24);
    assert.equal(gifFacts(noisy).frames, 6);
  });

  it('GIF accepted, a third of the bytes: still 6 frames, same timing, within budget', async () => {
    const budget = Math.floor(noisy.length / 3);
    const r = await adaptImage(noisy, 'image/gif', { accept: ['image/gif', 'image/jpeg'], maxWidth: 640, maxHeight: 480, budget, quality }, { tools, timeoutMs: 60_000 });
    assert.equal(r.kind, 'adapted', r.kind === 'failed' ? r.reason : '');
    if (r.kind !== 'adapted') return;
    assert.equal(r.type, 'image/gif');
    assert.ok(r.data.length <= budget, `${r.data.length} > ${budget}`);
    const f = gifFacts(r.data);
    assert.equal(f.frames, 6);
    assert.ok(Math.abs(f.duration - 0.6) < 0.02, `duration ${f.duration}`);
  });

  it('a smooth GIF in a tight budget keeps its motion: frames merged in pairs, total time kept, and the note says so', async () => {
    const budget = 30_000;
    const r = await adaptImage(smooth, 'image/gif', { accept: ['image/gif'], maxWidth: 640, maxHeight: 480, budget, quality }, { tools, timeoutMs: 60_000 });
    assert.equal(r.kind, 'adapted', r.kind === 'failed' ? r.reason : '');
    if (r.kind !== 'adapted') return;
    assert.ok(r.data.length <= budget);
    const f = gifFacts(r.data);
    assert.equal(f.frames, 12);
    assert.ok(Math.abs(f.duration - 0.96) < 0.02, `duration ${f.duration}`);
    assert.match(r.note, /12 of 24/);
  });

  it('a class without GIF but with 3GP: the animation arrives as a video, looped to a few seconds, SMIL says <video>', async () => {
    const caps: AdaptationCapabilities = { class: 'no-gif', maxMessageSize: 100 * 1024, accept: ['image/jpeg', 'video/3gpp', 'text/plain', 'application/smil'], maxVideoWidth: 176, maxVideoHeight: 144, videoCodec: 'h264' };
    const r = await adaptParts({ messageId: 'ANIM-1', expiresAt, parts: message(smooth), caps }, localBackend({ tools, timeoutMs: 60_000 }, settings), settings);
    const part = r.parts[1]!;
    assert.equal(part.contentType.type, 'video/3gpp');
    assert.equal(part.contentLocation, 'dance.3gp');
    const f = videoFacts(part.data, '3gp');
    assert.ok(f.width <= 176 && f.height <= 144, `${f.width}×${f.height}`);
    assert.ok(f.frames >= 24, `${f.frames} frames`);
    assert.ok(Math.abs(f.duration - 4 * 0.96) < 0.15, `duration ${f.duration}: 0.96 s played 4 times (at least 3 s)`);
    assert.match(r.parts[0]!.data.toString(), /<video src="dance\.3gp" region="Image"\/>/);
  });

  it('a class that takes neither GIF nor video: a notice that says it was an animation, with a link to it', async () => {
    const caps: AdaptationCapabilities = { class: 'stills', maxMessageSize: 100 * 1024, accept: ['image/jpeg', 'text/plain', 'application/smil'] };
    const r = await adaptParts({ messageId: 'ANIM-2', expiresAt, parts: message(noisy), caps }, localBackend({ tools, timeoutMs: 60_000 }, settings), settings);
    const part = r.parts[1]!;
    assert.equal(part.contentType.type, 'text/plain', 'not a JPEG of the first frame');
    const text = part.data.toString();
    assert.match(text, /"dance\.gif" \(image\/gif, [\d.]+ KB\) was removed/);
    assert.match(text, /animation of 6 frames and this phone does not show GIF animations/);
    assert.match(text, /https:\/\/mms\.example\.net\/o\/ANIM-2\/1/);
  });

  it('animationAsVideo: false, or a GIF that cannot fit and no video room: a notice, never a still', async () => {
    const noVideo: AdaptationCapabilities = { class: 'x', maxMessageSize: 100 * 1024, accept: ['image/jpeg', 'video/3gpp', 'text/plain', 'application/smil'], animationAsVideo: false };
    const a = await adaptParts({ messageId: 'ANIM-3', expiresAt, parts: message(smooth), caps: noVideo }, localBackend({ tools, timeoutMs: 60_000 }, settings), settings);
    assert.equal(a.parts[1]!.contentType.type, 'text/plain');
    assert.match(a.parts[1]!.data.toString(), /animation of 24 frames/);
    // GIF taken, but 5 KB for 6 frames of noise fits neither as a GIF nor as a video.
    // Message size limit − header overhead − 64 per part − SMIL (+256 room) − text leaves the GIF ~5 KB.
    const parts = message(noisy);
    const maxMessageSize = 5000 + 1024 + 3 * 64 + parts[0]!.data.length + 256 + parts[2]!.data.length;
    const tight: AdaptationCapabilities = { class: 'tight', maxMessageSize, accept: ['image/gif', 'image/jpeg', 'video/3gpp', 'text/plain', 'application/smil'] };
    const b = await adaptParts({ messageId: 'ANIM-4', expiresAt, parts, caps: tight }, localBackend({ tools, timeoutMs: 60_000 }, settings), settings);
    const text = b.parts[1]!.data.toString();
    assert.equal(b.parts[1]!.contentType.type, 'text/plain');
    assert.match(text, /animation of 6 frames and as a GIF it does not fit [\d.]+ KB; as a video: /);
  });
});
