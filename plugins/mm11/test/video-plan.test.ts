import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { h264Level, planVideo, type VideoPlan } from '../src/index.js';

const plan = (p: ReturnType<typeof planVideo>): VideoPlan => {
  assert.ok(!('failed' in p), 'failed' in p ? p.failed : '');
  return p as VideoPlan;
};

describe('video plan', () => {
  it('H.264 levels for the examples of Table A-1', () => {
    assert.equal(h264Level(176, 144, 15, 64, 175)?.name, '1');
    assert.equal(h264Level(176, 144, 30, 150, 300)?.name, '1.1');
    assert.equal(h264Level(352, 288, 30, 700, 1000)?.name, '1.3');
    assert.equal(h264Level(352, 288, 30, 1500, 2000)?.name, '2', 'bit rate above 1.3');
    assert.equal(h264Level(720, 576, 25, 5000, 5000)?.name, '3');
    assert.equal(h264Level(1280, 720, 30, 5000, 5000)?.name, '3.1', '3600 macroblocks per frame');
    assert.equal(h264Level(1920, 1080, 30, 15000, 20000)?.name, '4');
    // A.3.1: 64×2 macroblocks fit 1.1's 396 by area, but 64 > √(8·396) ≈ 56 wide: 2.1 (√(8·792) ≈ 79).
    assert.equal(h264Level(1024, 32, 1, 64, 64)?.name, '2.1');
  });

  it('a 1 s … 60 s 720p clip: the frame shrinks and the rate drops as bits per second fall', () => {
    const source = { width: 1280, height: 720, fps: 25 };
    let lastArea = Infinity;
    for (const seconds of [5, 15, 30, 60]) {
      const p = plan(planVideo({ source, seconds, budget: 280_000, codec: 'h264', audioRates: [12.2, 7.95, 4.75] }));
      const area = p.width * p.height;
      assert.ok(area <= lastArea, `${seconds} s: ${p.width}×${p.height}`);
      assert.ok(Math.abs(p.width / p.height - 16 / 9) < 0.05);
      assert.ok((p.videoKbps * 1000) / (area * p.fps) >= 0.079, 'bits per pixel kept');
      lastArea = area;
    }
  });

  it('portrait sources fill the box turned; H.263 picks a Level 10 size; too little is refused', () => {
    const portrait = plan(planVideo({ source: { width: 720, height: 1280, fps: 30 }, seconds: 10, budget: 600_000, codec: 'h264', maxWidth: 320, maxHeight: 240 }));
    assert.deepEqual([portrait.width, portrait.height], [180, 320], 'the 320×240 box turned to 240×320');
    const h263 = plan(planVideo({ source: { width: 640, height: 480, fps: 30 }, seconds: 10, budget: 200_000, codec: 'h263', maxWidth: 352, maxHeight: 288 }));
    assert.deepEqual([h263.width, h263.height, h263.fit], [176, 144, 'pad']);
    assert.ok(h263.fps <= 15 && h263.videoKbps * 1.15 <= 64.01);
    const none = planVideo({ source: { width: 640, height: 480 }, seconds: 60, budget: 50_000, codec: 'h264', audioRates: [12.2] });
    assert.ok('failed' in none && /would show only blocks/.test(none.failed));
  });
});
