import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createMmsc } from '@openmmsc/core';
import { pino } from 'pino';
import { buildMessage, scratchDir, startTestMmsc, waitFor } from '@openmmsc/testkit';
import sharp from 'sharp';
import mm11, { isMm11Transcoder, parseStiResponse } from '../src/index.js';
import { photoAs, photoPng } from './helpers.js';
import { network } from './network.js';

describe('plugin through the kernel', () => {
  it('adapts for an MM4 peer whose profile is known at route time: the deliverer gets parts under 100 KB', async () => {
    const net = network();
    const t = await startTestMmsc({
      config: { limits: { maxMessageSize: '20MB' } },
      plugins: [net.plugin, { plugin: mm11, options: { peers: [{ destination: 'mms.peer.example', class: '100k' }], publicBaseUrl: 'https://mms.example.net' } }],
    });
    try {
      const photo = await photoAs('jpeg', 3000, 2000, 6);
      const webp = await photoAs('webp', 1200, 900, 6);
      const message = buildMessage({
        to: '+447000000001',
        text: 'two pictures',
        parts: [
          { contentType: { type: 'image/jpeg', params: {} }, contentLocation: 'photo.jpg', data: photo },
          { contentType: { type: 'image/webp', params: {} }, contentLocation: 'sticker.webp', data: webp },
        ],
      });
      const sent = await t.mmsc.submit({ message, origin: { interface: 'api' } });
      assert.equal(sent.status, 'accepted');
      const d = await waitFor('MM4 delivery', () => net.delivered[0], 20_000);
      const total = d.parts.reduce((n, p) => n + p.data.byteLength, 0);
      assert.ok(total <= 100 * 1024, `delivered ${total} bytes`);
      assert.equal(d.parts.length, 3);
      assert.equal(d.parts[1]!.contentType.type, 'image/jpeg');
      assert.equal(d.parts[2]!.contentType.type, 'image/jpeg', 'no WebP in the 100k class');
      assert.equal(d.parts[2]!.contentLocation, 'sticker.jpg');
      const meta = await sharp(d.parts[1]!.data).metadata();
      assert.ok(meta.width! <= 640 && meta.height! <= 480);
      // The kernel keeps the variant under the peer's class; the original is untouched.
      const [recipient] = await t.mmsc.getRecipients(sent.messageId);
      assert.equal(recipient!.attributes.variant, 'peer:mms.peer.example');
      const original = await t.mmsc.getParts(sent.messageId);
      assert.equal(original![1]!.data.byteLength, photo.byteLength);
      assert.match(await t.mmsc.registry.getSingleMetricAsString('openmmsc_mm11_messages_total'), /class="peer:mms.peer.example",result="adapted"} 1/);
    } finally {
      await t.stop();
    }
  });

  it('gives MM1 what it needs at retrieval: capabilities from headers, an adapted variant cached per class', async () => {
    const net = network();
    const t = await startTestMmsc({
      config: { limits: { maxMessageSize: '20MB' } },
      plugins: [net.plugin, { plugin: mm11, options: { targets: { local: 'none' }, uaprof: { fetch: false } } }],
    });
    try {
      const png = await photoPng(2000, 1500);
      const sent = await t.mmsc.submit({
        message: buildMessage({ to: '+15550000002', parts: [{ contentType: { type: 'image/png', params: {} }, contentLocation: 'p.png', data: png }] }),
        origin: { interface: 'api' },
      });
      assert.equal(sent.status, 'accepted');
      const tc = net.transcoder();
      assert.ok(isMm11Transcoder(tc));
      if (!isMm11Transcoder(tc)) return;
      assert.ok(tc.tools, 'tools probed at setup');
      const caps = await tc.capabilitiesFromRequest({ accept: 'image/jpeg, image/gif, text/plain, application/smil', 'x-wap-profile': '"http://127.0.0.1:9/none.rdf"' });
      assert.deepEqual(caps.accept, ['image/jpeg', 'image/gif', 'text/plain', 'application/smil']);
      const v1 = await tc.adaptForRetrieval({ messageId: sent.messageId, capabilities: { ...caps, maxMessageSize: 100 * 1024 } });
      assert.ok(v1?.adapted);
      assert.equal(v1!.parts[0]!.contentType.type, 'image/jpeg');
      assert.ok(v1!.parts.reduce((n, p) => n + p.data.byteLength, 0) <= 100 * 1024);
      const adaptations = () => t.mmsc.registry.getSingleMetricAsString('openmmsc_mm11_messages_total');
      const before = await adaptations();
      const v2 = await tc.adaptForRetrieval({ messageId: sent.messageId, capabilities: { ...caps, maxMessageSize: 100 * 1024 } });
      assert.equal(await adaptations(), before, 'second fetch is served from the cache, not adapted again');
      assert.deepEqual(v2!.parts[0]!.data, v1!.parts[0]!.data);
      assert.equal(v2!.variant, caps.class);
    } finally {
      await t.stop();
    }
  });

  it('starts and stops the STI server with the MMSC', async () => {
    const net = network();
    const t = await startTestMmsc({ plugins: [net.plugin, { plugin: mm11, options: { sti: { server: { enabled: true, port: 0 } } } }] });
    let url: string | undefined;
    try {
      const tc = net.transcoder();
      assert.ok(isMm11Transcoder(tc));
      url = isMm11Transcoder(tc) ? tc.stiUrl : undefined;
      assert.match(url ?? '', /^http:\/\/127\.0\.0\.1:\d+\/sti$/);
      const res = await fetch(url!, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<x/>' });
      assert.equal(parseStiResponse(await res.text()).code, 4000);
    } finally {
      await t.stop();
    }
    await assert.rejects(fetch(url!, { method: 'POST', body: '<x/>' }), 'closed after stop');
  });

  it('the STI server answers only allowed client addresses when a list is set', async () => {
    const net = network();
    const t = await startTestMmsc({ plugins: [net.plugin, { plugin: mm11, options: { sti: { server: { enabled: true, port: 0, allowFrom: ['10.1.2.3'] } } } }] });
    try {
      const tc = net.transcoder();
      const url = isMm11Transcoder(tc) ? tc.stiUrl! : '';
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<x/>' });
      assert.equal(res.status, 403);
      assert.match(parseStiResponse(await res.text()).message ?? '', /127\.0\.0\.1 is not allowed/);
    } finally {
      await t.stop();
    }
  });

  it('refuses unknown class names in options with a clear message', async () => {
    await assert.rejects(startTestMmsc({ plugins: [{ plugin: mm11, options: { targets: { mm4: '250k' } } }] }), /targets\.mm4: unknown class "250k"/);
  });
});

describe('options', () => {
  let dir = '';
  scratchDir('openmmsc-mm11-options-', (d) => (dir = d));

  it('a config still carrying variantCacheTtlMs loads, and start warns that it does nothing', async () => {
    const warnings: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        for (const l of String(chunk).split('\n')) {
          if (!l) continue;
          const line = JSON.parse(l) as { level: number; msg: string };
          if (line.level === 40) warnings.push(line.msg);
        }
        cb();
      },
    });
    const start = async (name: string, options: Record<string, unknown>) => {
      warnings.length = 0;
      const mmsc = await createMmsc({ config: { store: { type: 'sqlite', path: join(dir, `${name}.sqlite`) }, admin: { enabled: false } }, plugins: [{ plugin: mm11, options }], logger: pino({ level: 'warn' }, sink) });
      await mmsc.stop();
      return warnings.filter((w) => w.includes('variantCacheTtlMs'));
    };
    assert.equal((await start('old', { variantCacheTtlMs: 3_600_000 })).length, 1);
    assert.deepEqual(await start('new', {}), []);
  });
});
