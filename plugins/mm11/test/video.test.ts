import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { adaptVideo, DEFAULT_CLASSES, type VideoTarget } from '../src/index.js';
import { requireSystem } from '@openmmsc/testkit/system';
import { ffmpegMake, requireFfmpeg } from './helpers.js';
import { assertWatchable, videoFacts, type VideoFacts } from './video-oracles.js';

const RICH = DEFAULT_CLASSES.find((c) => c.name === '300k')!.accept!;
describe('video sized for the budget (ffmpeg)', { skip: requireSystem('ffmpeg') }, () => {
  let hd: Buffer;
  let env: { tools: Awaited<ReturnType<typeof requireFfmpeg>>; timeoutMs: number };
  before(async () => {
    env = { tools: await requireFfmpeg(), timeoutMs: 120_000 };
    // 10 s of 1280×720 moving test pattern at 25 frames/s with a tone.
    hd = ffmpegMake(['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25:duration=10', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=10', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '26', '-c:a', 'aac', '-shortest'], 'mp4');
  });

  it('720p squeezed to ~20 kbit/s without a frame limit: a small frame at a low rate, level to match, a real picture', async () => {
    const budget = 45_000;
    const r = await adaptVideo(hd, 'video/mp4', { accept: RICH, budget, overlong: 'trim', codec: 'h264' }, env);
    assert.equal(r.kind, 'adapted', r.kind === 'failed' ? r.reason : '');
    if (r.kind !== 'adapted') return;
    assert.equal(r.type, 'video/3gpp');
    const f = assertWatchable(r.data, hd, budget);
    // Before: 1280×720 tagged level 3.0 at ~5 kbit/s, grey frames.
    assert.ok(f.width * f.height <= 320 * 240, `${f.width}×${f.height}`);
    assert.ok(Math.abs(f.width / f.height - 16 / 9) < 0.08, `aspect ${f.width}×${f.height}`);
    assert.ok(f.fps >= 5 && f.fps <= 15, `${f.fps} fps`);
    assert.equal(f.audio?.codec, 'amr_nb');
    assert.match(r.note, /H\.264 baseline level 1(\.\d)? \d+×\d+ \d+(\.\d)? fps/);
  });

  const cases: Array<{ name: string; budget: number; target: Partial<VideoTarget>; box?: { width: number; height: number }; check?: (f: VideoFacts) => void }> = [
    {
      name: '300k class box, 250 KB',
      budget: 250 * 1024,
      target: { maxWidth: 320, maxHeight: 240, codec: 'h264' },
      box: { width: 320, height: 240 },
      check: (f) => assert.deepEqual([f.width, f.height], [320, 180]),
    },
    {
      name: 'bit rate and frame rate limits of the recipient',
      budget: 600 * 1024,
      target: { maxWidth: 640, maxHeight: 480, codec: 'h264', maxBitRate: 96_000, maxFrameRate: 12 },
      box: { width: 640, height: 480 },
      check: (f) => {
        assert.ok(f.fps <= 12, `${f.fps} fps`);
        assert.ok(f.videoBitRate <= 96_000 * 1.15, `${f.videoBitRate} bit/s`);
      },
    },
    {
      name: 'H.263 for an old handset, 40 KB',
      budget: 40_000,
      target: { maxWidth: 176, maxHeight: 144, codec: 'h263' },
      box: { width: 176, height: 144 },
      check: (f) => {
        assert.equal(f.codec, 'h263');
        assert.ok([176 * 144, 128 * 96].includes(f.width * f.height), `${f.width}×${f.height} is a Level 10 size`);
        assert.ok(f.fps <= 15 && f.videoBitRate <= 64_000, `${f.fps} fps, ${f.videoBitRate} bit/s: beyond H.263 Level 10`);
      },
    },
  ];
  for (const c of cases) {
    it(`720p → ${c.name}: within frame, level, budget, and frames show the picture`, async () => {
      const r = await adaptVideo(hd, 'video/mp4', { accept: RICH, budget: c.budget, overlong: 'trim', ...c.target }, env);
      assert.equal(r.kind, 'adapted', r.kind === 'failed' ? r.reason : '');
      if (r.kind !== 'adapted') return;
      c.check?.(assertWatchable(r.data, hd, c.budget, c.box));
    });
  }

  it('a clip already within the limits goes as is; one over the frame rate limit is re-encoded below it', async () => {
    const small = ffmpegMake(['-f', 'lavfi', '-i', 'testsrc2=size=176x144:rate=15:duration=4', '-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'baseline', '-b:v', '48k', '-f', '3gp'], '3gp');
    const base = { accept: RICH, budget: 100_000, overlong: 'trim' as const, maxWidth: 176, maxHeight: 144, codec: 'h264' as const };
    assert.equal((await adaptVideo(small, 'video/3gpp', { ...base, maxBitRate: 96_000, maxFrameRate: 15 }, env)).kind, 'unchanged');
    const r = await adaptVideo(small, 'video/3gpp', { ...base, maxFrameRate: 10 }, env);
    assert.equal(r.kind, 'adapted', r.kind === 'failed' ? r.reason : '');
    if (r.kind === 'adapted') assert.ok(videoFacts(r.data, '3gp').fps <= 10);
  });

  it('too few bytes for any watchable picture: refused with the reason, not sent as blocks', async () => {
    const r = await adaptVideo(hd, 'video/mp4', { accept: RICH, budget: 16_500, overlong: 'trim', codec: 'h264' }, env);
    assert.equal(r.kind, 'failed');
    if (r.kind === 'failed') assert.match(r.reason, /10 s video does not fit 16 KB: \d+ kbit\/s for pictures would show only blocks/);
  });
});
