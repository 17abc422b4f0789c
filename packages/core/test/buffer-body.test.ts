import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { addBufferBodyParser } from '@openmmsc/core';

/** One raw HTTP/1.1 exchange: the bytes as given, the answer's status (or `closed` when none came). */
function exchange(port: number, head: string, body: Buffer | string = '', { end = false } = {}): Promise<number | 'closed'> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (c) => (answer += c.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(/^HTTP\/1\.1 (\d{3})/.exec(answer) ? Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)![1]) : 'closed'));
    socket.write(head.replace(/\n/g, '\r\n') + '\r\n');
    socket.write(body);
    if (end) socket.end();
    else setTimeout(() => socket.end(), 300);
  });
}

describe('addBufferBodyParser: bodies into one buffer as they arrive', () => {
  let app: FastifyInstance;
  let port: number;
  const seen: Buffer[] = [];
  before(async () => {
    app = Fastify({ bodyLimit: 1000 });
    app.removeAllContentTypeParsers();
    addBufferBodyParser(app);
    app.post('/', async (request) => {
      seen.push(request.body as Buffer);
      return { bytes: (request.body as Buffer).length };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  after(() => app.close());

  it('takes a body with a Content-Length, sent in pieces, byte for byte', async () => {
    const body = Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0xff));
    const socket = connect(port, '127.0.0.1');
    const answer = new Promise<string>((resolve) => {
      let s = '';
      socket.on('data', (c) => {
        s += c.toString();
        if (s.includes('}')) resolve(s);
      });
    });
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/vnd.wap.mms-message\r\nContent-Length: 1000\r\n\r\n');
    for (let i = 0; i < 1000; i += 100) {
      socket.write(body.subarray(i, i + 100));
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.match(await answer, /HTTP\/1\.1 200[\s\S]*\{"bytes":1000\}/);
    socket.end();
    assert.ok(seen.at(-1)!.equals(body));
  });

  it('takes a chunked body (no Content-Length)', async () => {
    const status = await exchange(port, 'POST / HTTP/1.1\nHost: x\nContent-Type: text/plain\nTransfer-Encoding: chunked\nConnection: close\n', '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');
    assert.equal(status, 200);
    assert.equal(seen.at(-1)!.toString(), 'hello world');
  });

  it('refuses a declared length over the limit (413) without reading it', async () => {
    assert.equal(await exchange(port, 'POST / HTTP/1.1\nHost: x\nContent-Type: text/plain\nContent-Length: 1001\nConnection: close\n', 'x'.repeat(1001)), 413);
  });

  it('refuses a chunked body that grows over the limit (413)', async () => {
    const chunk = `${(600).toString(16)}\r\n${'y'.repeat(600)}\r\n`;
    assert.equal(await exchange(port, 'POST / HTTP/1.1\nHost: x\nContent-Type: text/plain\nTransfer-Encoding: chunked\nConnection: close\n', chunk + chunk + '0\r\n\r\n'), 413);
  });

  it('does not hand on a body cut short: the client that closes early gets no 200', async () => {
    const before = seen.length;
    const status = await exchange(port, 'POST / HTTP/1.1\nHost: x\nContent-Type: text/plain\nContent-Length: 500\n', 'z'.repeat(200), { end: true });
    assert.notEqual(status, 200);
    assert.equal(seen.length, before, 'the handler never saw the cut body');
  });

  it('takes an empty body (Content-Length: 0) as an empty buffer', async () => {
    assert.equal(await exchange(port, 'POST / HTTP/1.1\nHost: x\nContent-Type: text/plain\nContent-Length: 0\nConnection: close\n'), 200);
    assert.equal(seen.at(-1)!.length, 0);
  });
});
