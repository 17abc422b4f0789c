import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createHttpListener, httpListenerSchema } from '@openmmsc/core';

/** A raw TCP client from a chosen loopback address (all of 127/8 reaches lo on Linux). */
function rawClient(port: number, localAddress: string): Promise<Socket & { closedAt?: number; received: string }> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress }) as Socket & { closedAt?: number; received: string };
    s.received = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => (s.received += d));
    s.on('close', () => (s.closedAt = Date.now()));
    s.on('error', () => undefined);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(probe: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
}

describe('HTTP listener limits (shared by every HTTP listener)', () => {
  const registry = new Registry();
  const limits = httpListenerSchema.parse({
    headersTimeout: '600ms',
    requestTimeout: '1200ms',
    idleTimeout: '500ms',
    maxConnections: 40,
    maxConnectionsPerAddress: 10,
    exemptAddresses: ['127.0.0.3'],
  });
  const app = createHttpListener({ name: 'timeouts', limits, metrics: registry }, { logger: false });
  app.post('/', async (req) => ({ got: (req.body as Buffer | undefined)?.length ?? 0 }));
  app.get('/', async () => 'ok');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_r, body, done) => done(null, body));
  // The caps, on a server whose time-outs never strike during a test on a busy machine.
  const caps = createHttpListener({ name: 'probe', limits: { ...limits, headersTimeout: 60_000, requestTimeout: 60_000, idleTimeout: 60_000 }, metrics: registry }, { logger: false });
  caps.get('/', async () => 'ok');
  let port = 0;
  let capsPort = 0;
  before(async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
    await caps.listen({ host: '127.0.0.1', port: 0 });
    capsPort = (caps.server.address() as { port: number }).port;
  });
  after(async () => {
    await app.close();
    await caps.close();
  });

  it('cuts off a body trickling in a byte at a time at requestTimeout, with 408', async () => {
    const s = await rawClient(port, '127.0.0.2');
    const started = Date.now();
    s.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n');
    const drip = setInterval(() => s.writable && s.write('a'), 100);
    try {
      while (s.closedAt === undefined && Date.now() - started < 5000) await sleep(50);
    } finally {
      clearInterval(drip);
    }
    assert.ok(s.closedAt, 'the connection was closed');
    const took = s.closedAt! - started;
    assert.ok(took >= 1100 && took < 2500, `closed after ${took} ms (requestTimeout 1200 ms), although bytes kept coming`);
    assert.match(s.received, /^HTTP\/1\.1 408 /);
  });

  it('closes a connection that sends nothing at headersTimeout', async () => {
    const s = await rawClient(port, '127.0.0.2');
    const started = Date.now();
    while (s.closedAt === undefined && Date.now() - started < 5000) await sleep(50);
    assert.ok(s.closedAt && s.closedAt - started < 2000, 'an idle new connection is closed');
  });

  it('caps connections per address at connect; another address is still served', async () => {
    const port = capsPort;
    const held = await Promise.all(Array.from({ length: 15 }, () => rawClient(port, '127.0.0.2')));
    const exempt: Awaited<ReturnType<typeof rawClient>>[] = [];
    try {
      await waitUntil(() => held.filter((s) => s.closedAt !== undefined).length >= 5);
      await sleep(50);
      assert.equal(held.filter((s) => s.closedAt !== undefined).length, 5, 'the 5 over the per-address cap of 10 are closed at once');
      const res = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(res.status, 200);
      // Exempt addresses are held only to the global cap.
      exempt.push(...(await Promise.all(Array.from({ length: 15 }, () => rawClient(port, '127.0.0.3')))));
      await sleep(100);
      assert.equal(exempt.filter((s) => s.closedAt !== undefined).length, 0);
      const metrics = await registry.metrics();
      assert.match(metrics, /openmmsc_listener_refused_total\{listener="probe",reason="per-address"\} 5/);
      assert.match(metrics, /openmmsc_listener_connections\{listener="probe"\} 2[56]/);
    } finally {
      for (const s of [...held, ...exempt]) s.destroy();
    }
    await waitUntil(async () => /openmmsc_listener_connections\{listener="probe"\} [01]\n/.test(await registry.metrics()));
  });

  it('caps connections in all', async () => {
    const port = capsPort;
    const addresses = ['127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7', '127.0.0.8'];
    const before = Number(/openmmsc_listener_connections\{listener="probe"\} (\d+)/.exec(await registry.metrics())?.[1] ?? 0);
    const held = await Promise.all(Array.from({ length: 50 }, (_, i) => rawClient(port, addresses[i % 5]!)));
    try {
      await waitUntil(() => held.filter((s) => s.closedAt === undefined).length <= 40 - before);
      await sleep(50);
      assert.equal(held.filter((s) => s.closedAt === undefined).length, 40 - before, 'maxConnections 40');
      assert.match(await registry.metrics(), /openmmsc_listener_refused_total\{listener="probe",reason="max-connections"\} \d+/);
    } finally {
      for (const s of held) s.destroy();
    }
    await waitUntil(async () => /openmmsc_listener_connections\{listener="probe"\} [01]\n/.test(await registry.metrics()));
  });

  it('closes an idle keep-alive connection after idleTimeout', async () => {
    const s = await rawClient(port, '127.0.0.9');
    s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(150);
    assert.match(s.received, /^HTTP\/1\.1 200 /);
    const answered = Date.now();
    while (s.closedAt === undefined && Date.now() - answered < 3000) await sleep(50);
    assert.ok(s.closedAt && s.closedAt - answered < 1500, 'the idle keep-alive connection was closed');
  });

  it('does not let slow clients hold a close open (node stops its time-outs once a server closes)', { timeout: 15_000 }, async () => {
    const other = createHttpListener({ name: 'closing', limits: httpListenerSchema.parse({ requestTimeout: '60s', headersTimeout: '30s' }) }, { logger: false });
    other.post('/', async () => 'ok');
    await other.listen({ host: '127.0.0.1', port: 0 });
    const p = (other.server.address() as { port: number }).port;
    const idle = await rawClient(p, '127.0.0.10');
    const head = await rawClient(p, '127.0.0.10');
    head.write('POST / HTTP/1.1\r\nHost: x\r\n');
    const body = await rawClient(p, '127.0.0.10');
    body.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc');
    await sleep(100);
    const started = Date.now();
    await other.close();
    assert.ok(Date.now() - started < 2000, `close took ${Date.now() - started} ms`);
    await waitUntil(() => [idle, head, body].every((s) => s.closedAt !== undefined));
  });
});
