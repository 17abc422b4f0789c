import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CapabilityResolver, ClassTable, DEFAULT_CLASSES, acceptFromHeader, parseUaProf, profileUrlFrom, UaProfError } from '../src/index.js';

const rdf = readFileSync(new URL('./fixtures/uaprof-handset.rdf', import.meta.url), 'utf8');
const table = new ClassTable({ classes: DEFAULT_CLASSES, targets: { local: '300k', mm4: '300k' }, peers: [] });

function memoryKv() {
  const m = new Map<string, unknown>();
  return {
    map: m,
    get: async <T>(k: string) => m.get(k) as T | undefined,
    set: async (k: string, v: unknown) => void m.set(k, v),
    delete: async (k: string) => m.delete(k),
  };
}

describe('UAProf', () => {
  it('parses a handset profile: MMS size, image resolution, accepted types and charsets', () => {
    const p = parseUaProf(rdf);
    assert.equal(p.vendor, 'Examplephone');
    assert.equal(p.model, 'X640');
    assert.equal(p.maxMessageSize, 307200);
    assert.equal(p.maxImageWidth, 640);
    assert.equal(p.maxImageHeight, 480);
    assert.equal(p.screenWidth, 240);
    assert.ok(p.accept?.includes('image/jpeg'));
    assert.ok(p.accept?.includes('video/3gpp'));
    assert.ok(p.accept?.includes('text/x-vcard'), 'types are lower-cased');
    // WebP is only in the browser's CcppAccept, not in MmsCcppAccept.
    assert.ok(!p.accept?.includes('image/webp'));
    assert.deepEqual(p.charsets, ['us-ascii', 'iso-8859-1', 'utf-8']);
    assert.deepEqual(p.mmsVersions, ['1.0', '1.1', '1.2']);
  });

  it('refuses entity declarations and non-RDF documents', () => {
    assert.throws(() => parseUaProf('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]><rdf:RDF xmlns:rdf="x">&a;</rdf:RDF>'), UaProfError);
    assert.throws(() => parseUaProf('<html><body>not found</body></html>'), /not an RDF/);
  });

  it('reads profile URLs and Accept headers as handsets send them', () => {
    assert.equal(profileUrlFrom({ 'X-Wap-Profile': '"http://wap.example.com/uaprof/X640.xml"' }), 'http://wap.example.com/uaprof/X640.xml');
    assert.equal(profileUrlFrom({ profile: '"http://a.example/p.rdf", 1-Jk7=' }), 'http://a.example/p.rdf');
    assert.equal(profileUrlFrom({ accept: '*/*' }), undefined);
    assert.deepEqual(acceptFromHeader('application/vnd.wap.mms-message, image/jpeg;q=0.9, image/png, image/webp;q=0, audio/amr'), ['application/vnd.wap.mms-message', 'image/jpeg', 'image/png', 'audio/amr']);
    assert.equal(acceptFromHeader('text/html, */*;q=0.8'), undefined);
  });

  describe('capabilities from request headers (profile served over HTTP)', () => {
    let server: Server;
    let base = '';
    let hits = 0;
    before(async () => {
      server = createServer((req, res) => {
        hits++;
        if (req.url === '/X640.rdf') {
          res.writeHead(200, { 'content-type': 'application/rdf+xml' });
          res.end(rdf);
        } else if (req.url === '/slow.rdf') {
          setTimeout(() => res.end(rdf), 6000);
        } else {
          res.writeHead(404);
          res.end();
        }
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
    });

    const resolver = (kv = memoryKv(), extra: Partial<ConstructorParameters<typeof CapabilityResolver>[0]> = {}) =>
      new CapabilityResolver({ classes: table, kv, fetch: true, timeoutMs: 2000, maxBytes: 256 * 1024, cacheTtlMs: 60_000, failureTtlMs: 60_000, snapToClasses: true, defaultClass: '300k', ...extra });

    it('fetches, parses and caches the UAProf named in x-wap-profile', async () => {
      const kv = memoryKv();
      const r = resolver(kv);
      const before = hits;
      const caps = await r.capabilitiesFromRequest({ 'x-wap-profile': `"${base}/X640.rdf"`, accept: '*/*' });
      assert.equal(caps.maxMessageSize, 300 * 1024, '307200 bytes is the 300k class');
      assert.equal(caps.maxImageWidth, 640);
      assert.equal(caps.maxImageHeight, 480);
      assert.ok(caps.accept?.includes('image/jpeg') && !caps.accept.includes('image/webp'));
      assert.deepEqual(caps.charsets, ['us-ascii', 'iso-8859-1', 'utf-8']);
      assert.match(caps.class, /^300k~/, 'a class of its own, derived from 300k');
      assert.equal(caps.maxVideoSeconds, 15, 'video limits come from the class');
      const again = await r.capabilitiesFromRequest({ 'X-WAP-PROFILE': `${base}/X640.rdf` });
      assert.deepEqual(again, caps, 'same handset, same class name (cache key)');
      assert.equal(hits - before, 1, 'fetched once');
      // A second node (fresh memory) finds it in the shared kv.
      const other = resolver(kv);
      await other.capabilitiesFromRequest({ 'x-wap-profile': `${base}/X640.rdf` });
      assert.equal(other.fetches, 0);
      assert.equal(hits - before, 1);
    });

    it('falls back to Accept, then to the default class; failures are remembered', async () => {
      const r = resolver();
      const before = hits;
      const missing = await r.capabilitiesFromRequest({ 'x-wap-profile': `${base}/nope.rdf`, accept: 'image/jpeg, image/gif, audio/amr, text/plain, application/smil' });
      assert.deepEqual(missing.accept, ['image/jpeg', 'image/gif', 'audio/amr', 'text/plain', 'application/smil']);
      await r.capabilitiesFromRequest({ 'x-wap-profile': `${base}/nope.rdf` });
      assert.equal(hits - before, 1, 'a failed fetch is not repeated at once');
      const plain = await r.capabilitiesFromRequest({});
      assert.equal(plain.class, '300k');
      assert.equal(plain.maxMessageSize, 300 * 1024);
    });

    it('gives up on a slow profile server after the timeout', async () => {
      // The time-out is generous so a loaded machine still fetches the fast profile; the slow one
      // answers well after it.
      const r = resolver();
      const t0 = Date.now();
      const caps = await r.capabilitiesFromRequest({ 'x-wap-profile': `${base}/slow.rdf` });
      assert.ok(Date.now() - t0 < 4500, 'timed out');
      assert.equal(caps.class, '300k');
    });

    it('fetches only from allowed hosts when a list is set', async () => {
      const r = resolver(memoryKv(), { allowHosts: ['*.uaprof.example'] });
      await r.capabilitiesFromRequest({ 'x-wap-profile': `${base}/X640.rdf` });
      assert.equal(r.fetches, 0);
    });

    it('snaps a 1 MB handset to the 1m class, a 50 KB one to the smallest', () => {
      const r = resolver();
      assert.equal(r.fromProfile({ maxMessageSize: 1024 * 1024 }).class, '1m');
      assert.equal(r.fromProfile({ maxMessageSize: 50 * 1024 }).class, '100k');
      assert.equal(r.fromProfile({ maxMessageSize: 700 * 1024 }).maxMessageSize, 600 * 1024);
      const exact = resolver(memoryKv(), { snapToClasses: false }).fromProfile({ maxMessageSize: 700 * 1024 });
      assert.equal(exact.maxMessageSize, 700 * 1024);
      assert.match(exact.class, /^ua~/);
    });
  });
});
