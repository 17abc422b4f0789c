import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MmsPart } from '@openmmsc/core';
import { adaptAudio, adaptParts, adaptVideo, ClassTable, DEFAULT_CLASSES, localBackend, type AdaptSettings } from '../src/index.js';
import { requireSystem } from '@openmmsc/testkit/system';
import { ffmpegMake, ffprobe, photoPng, requireFfmpeg } from './helpers.js';

const cls = (name: string) => DEFAULT_CLASSES.find((c) => c.name === name)!;

describe('audio and video (ffmpeg)', { skip: requireSystem('ffmpeg') }, () => {
  it('a too-long video is cut to the class limit, re-encoded to 3GP within frame and byte limits', async () => {
    const tools = await requireFfmpeg();
    // 20 s of 640×480 test pattern with a tone, MPEG-4 in MP4: too long, too big, too large a frame.
    const mp4 = ffmpegMake(['-f', 'lavfi', '-i', 'testsrc=size=640x480:rate=25:duration=20', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=20', '-c:v', 'mpeg4', '-q:v', '3', '-c:a', 'aac', '-shortest'], 'mp4');
    const c = cls('300k');
    const budget = 250 * 1024;
    const r = await adaptVideo(mp4, 'video/mp4', { accept: c.accept!, budget, maxSeconds: 15, maxWidth: 320, maxHeight: 240, codec: 'h264', overlong: 'trim' }, { tools, timeoutMs: 60_000 });
    assert.equal(r.kind, 'adapted', r.kind === 'failed' ? r.reason : '');
    if (r.kind !== 'adapted') return;
    assert.equal(r.type, 'video/3gpp');
    assert.ok(r.data.length <= budget, `${r.data.length} bytes`);
    const p = ffprobe(r.data, '3gp');
    assert.ok(p.duration <= 15.2 && p.duration >= 14, `duration ${p.duration}`);
    const v = p.streams.find((s) => s.codec_type === 'video')!;
    const a = p.streams.find((s) => s.codec_type === 'audio')!;
    assert.equal(v.codec_name, 'h264');
    assert.deepEqual([v.width, v.height], [320, 240]);
    assert.equal(a.codec_name, 'amr_nb');
    assert.match(r.note, /cut to 15 s/);
  });

  it('a video for an old handset: H.263 176×144 + AMR-NB; "replace" policy refuses overlong ones', async () => {
    const tools = await requireFfmpeg();
    const mp4 = ffmpegMake(['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15:duration=6', '-f', 'lavfi', '-i', 'sine=duration=6', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest'], 'mp4');
    const c = cls('100k');
    const r = await adaptVideo(mp4, 'video/mp4', { accept: c.accept!, budget: 90_000, maxSeconds: 15, maxWidth: 176, maxHeight: 144, codec: 'h263', overlong: 'trim' }, { tools, timeoutMs: 60_000 });
    assert.equal(r.kind, 'adapted', r.kind === 'failed' ? r.reason : '');
    if (r.kind !== 'adapted') return;
    const p = ffprobe(r.data, '3gp');
    const v = p.streams.find((s) => s.codec_type === 'video')!;
    assert.equal(v.codec_name, 'h263');
    assert.deepEqual([v.width, v.height], [176, 144]);
    assert.ok(r.data.length <= 90_000);
    const refused = await adaptVideo(mp4, 'video/mp4', { accept: c.accept!, budget: 90_000, maxSeconds: 3, overlong: 'replace' }, { tools, timeoutMs: 60_000 });
    assert.equal(refused.kind, 'failed');
  });

  it('WAV audio becomes AMR-NB for a basic handset, MP3 for a rich one', async () => {
    const tools = await requireFfmpeg();
    const wav = ffmpegMake(['-f', 'lavfi', '-i', 'sine=frequency=600:sample_rate=44100:duration=8', '-c:a', 'pcm_s16le'], 'wav');
    const amr = await adaptAudio(wav, 'audio/wav', { accept: cls('100k').accept!, budget: 50_000, overlong: 'trim' }, { tools, timeoutMs: 30_000 });
    assert.equal(amr.kind, 'adapted', amr.kind === 'failed' ? amr.reason : '');
    if (amr.kind !== 'adapted') return;
    assert.equal(amr.type, 'audio/amr');
    assert.equal(amr.data.subarray(0, 6).toString('latin1'), '#!AMR\n');
    const p = ffprobe(amr.data, 'amr');
    assert.equal(p.streams[0]!.codec_name, 'amr_nb');
    assert.equal(p.streams[0]!.sample_rate, '8000');
    const mp3 = await adaptAudio(wav, 'audio/wav', { accept: cls('300k').accept!, budget: 100_000, overlong: 'trim' }, { tools, timeoutMs: 30_000 });
    assert.equal(mp3.kind, 'adapted');
    if (mp3.kind === 'adapted') {
      assert.equal(mp3.type, 'audio/mpeg');
      assert.ok(mp3.data.length <= 100_000);
      assert.equal(ffprobe(mp3.data, 'mp3').streams[0]!.codec_name, 'mp3');
    }
  });

  it('an MP3 that fits an accepting handset is left alone; one that is too big gets a lower bit rate', async () => {
    const tools = await requireFfmpeg();
    const mp3 = ffmpegMake(['-f', 'lavfi', '-i', 'sine=duration=10', '-c:a', 'libmp3lame', '-b:a', '128k'], 'mp3');
    const keep = await adaptAudio(mp3, 'audio/mpeg', { accept: cls('300k').accept!, budget: 300_000, overlong: 'trim' }, { tools, timeoutMs: 30_000 });
    assert.equal(keep.kind, 'unchanged');
    const smaller = await adaptAudio(mp3, 'audio/mpeg', { accept: cls('300k').accept!, budget: 60_000, overlong: 'trim' }, { tools, timeoutMs: 30_000 });
    assert.equal(smaller.kind, 'adapted');
    if (smaller.kind === 'adapted') {
      assert.equal(smaller.type, 'audio/mpeg');
      assert.ok(smaller.data.length <= 60_000);
    }
  });

  it('without ffmpeg, audio and video that need work fail with a reason (images still adapt)', async () => {
    const tools = await requireFfmpeg();
    const wav = ffmpegMake(['-f', 'lavfi', '-i', 'sine=duration=1', '-c:a', 'pcm_s16le'], 'wav');
    const r = await adaptAudio(wav, 'audio/wav', { accept: ['audio/amr'], budget: 50_000, overlong: 'trim' }, { tools: { ...tools, ffmpeg: false }, timeoutMs: 5000 });
    assert.equal(r.kind, 'failed');
    if (r.kind === 'failed') assert.match(r.reason, /needs ffmpeg/);
  });

  it('a message with video, audio and pictures shares 300 KB by weight; the video gets the largest share', async () => {
    const tools = await requireFfmpeg();
    const settings: AdaptSettings = { headerOverhead: 1024, minImageBytes: 3000, jpegQuality: { max: 85, min: 40 }, overlongMedia: 'trim' };
    const video = ffmpegMake(['-f', 'lavfi', '-i', 'testsrc=size=640x480:rate=25:duration=18', '-f', 'lavfi', '-i', 'sine=duration=18', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-c:a', 'aac', '-shortest'], 'mp4');
    const wav = ffmpegMake(['-f', 'lavfi', '-i', 'sine=frequency=500:duration=12', '-c:a', 'pcm_s16le'], 'wav');
    const parts: MmsPart[] = [
      { contentType: { type: 'image/png', params: {} }, contentLocation: 'one.png', data: await photoPng(2000, 1500, 8) },
      { contentType: { type: 'video/mp4', params: {} }, contentLocation: 'clip.mp4', data: video },
      { contentType: { type: 'audio/wav', params: {} }, contentLocation: 'voice.wav', data: wav },
      { contentType: { type: 'image/png', params: {} }, contentLocation: 'two.png', data: await photoPng(1500, 2000, 8) },
    ];
    const caps = new ClassTable({ classes: DEFAULT_CLASSES, targets: {}, peers: [] }).byName('300k')!;
    const r = await adaptParts({ messageId: 'AV', parts, caps }, localBackend({ tools, timeoutMs: 60_000 }, settings), settings);
    assert.ok(r.size <= 300 * 1024 - 1024 - 4 * 64, `total ${r.size}`);
    assert.deepEqual(r.parts.map((p) => p.contentType.type), ['image/jpeg', 'video/3gpp', 'audio/mpeg', 'image/jpeg']);
    assert.deepEqual(r.parts.map((p) => p.contentLocation), ['one.jpg', 'clip.3gp', 'voice.mp3', 'two.jpg']);
    const sizes = r.parts.map((p) => p.data.byteLength);
    assert.ok(sizes[1]! > sizes[0]! && sizes[1]! > sizes[3]!, `video has the largest share: ${sizes.join(', ')}`);
    assert.ok(ffprobe(r.parts[1]!.data, '3gp').duration <= 15.2);
  });
});
