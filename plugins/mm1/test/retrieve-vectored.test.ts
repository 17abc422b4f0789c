/**
 * Retrieval answers are written as chunks (header bytes, then the stored part bodies as they
 * are). Read here as a stranger reads them, from a raw socket: the bytes are exactly what the
 * one-buffer encoder makes of the same m-retrieve-conf, Content-Length is right and not chunked,
 * Wireshark reads the HTTP response and the PDU in it, ranges across chunk boundaries are right,
 * and a handset that hangs up halfway does not hurt the node.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodePdu, encodePdu } from '@openmmsc/codec';
import { readFields, tcpPcap, withPcap } from '@openmmsc/testkit/tshark';
import { retrieveConf } from '../src/index.js';
import { startRig, type Rig } from './helpers.js';
import { tsharkMissing } from './tshark.js';
import { A, D } from './phones.js';

const AS_D = { 'X-WAP-Network-Client-MSISDN': D };

/** A JPEG-shaped body of `size` bytes (SOI … EOI); nothing on the path decodes images. */
function jpeg(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 131 + seed * 7 + (i >> 9)) & 0xff;
  b.set([0xff, 0xd8, 0xff, 0xe0], 0);
  b.set([0xff, 0xd9], size - 2);
  return b;
}

interface RawAnswer {
  /** Everything the socket received, head and body. */
  raw: Buffer;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One HTTP/1.1 request over a fresh socket (Connection: close), read until the server closes it. */
function rawRequest(url: string, method: string, headers: Record<string, string>): Promise<RawAnswer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname);
    const got: Buffer[] = [];
    socket.on('data', (d) => got.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(got);
      const end = raw.indexOf('\r\n\r\n');
      const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
      const h: Record<string, string> = {};
      for (const l of lines.slice(1)) h[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
      resolve({ raw, status: Number(lines[0]!.split(' ')[1]), headers: h, body: raw.subarray(end + 4) });
    });
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(`${method} ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\n${extra}Connection: close\r\n\r\n`);
  });
}

describe('MM1 retrieval written as chunks', () => {
  let rig: Rig;
  let location: string;
  let messageId: string;
  const image = jpeg(1024 * 1024, 1);
  before(async () => {
    rig = await startRig({
      phones: [{ msisdn: A }, { msisdn: D, mode: 'manual' }],
      bearer: 'direct',
      mm1: { limits: { maxMessageSize: '2MB', maxBody: '3MB' } },
      config: { limits: { maxMessageSize: '2MB' } },
    });
    const sent = await rig.phone(A).send({
      to: D,
      subject: 'big one',
      text: 'see the picture',
      attachments: [
        { contentType: 'image/jpeg', data: image, name: 'big.jpg' },
        { contentType: 'image/jpeg', data: jpeg(4000, 2), name: 'small.jpg' },
      ],
    });
    assert.equal(sent.status, 'ok', JSON.stringify(sent));
    messageId = sent.messageId!;
    location = (await rig.phone(D).waitForNotification((x) => x.subject?.text === 'big one')).contentLocation!;
  });
  after(async () => rig?.stop());

  it('handsets that hang up before or during the answer do not hurt the node', async () => {
    // (A reset while the server still has megabytes queued is in write-chunks.test.ts.)
    const u = new URL(location);
    const hangUp = (after: 'request' | 'first-bytes'): Promise<number> =>
      new Promise((resolve, reject) => {
        const socket = connect(Number(u.port), u.hostname);
        let bytes = 0;
        socket.on('error', reject);
        const reset = () => {
          socket.resetAndDestroy();
          resolve(bytes);
        };
        socket.once('data', (d) => {
          bytes += d.length;
          socket.pause();
          setTimeout(reset, 20);
        });
        socket.write(`GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nX-WAP-Network-Client-MSISDN: ${D}\r\n\r\n`, () => {
          if (after === 'request') reset();
        });
      });
    assert.equal(await hangUp('request'), 0);
    assert.ok((await hangUp('first-bytes')) < image.length);
    await sleep(100);
    // The node still answers, completely.
    const again = await rawRequest(location, 'GET', AS_D);
    assert.equal(again.status, 200);
    assert.equal(again.body.length, Number(again.headers['content-length']));
    assert.equal(decodePdu(again.body).messageType, 'm-retrieve-conf');
  });

  it('the bytes are those of the one-buffer encoder, with a right Content-Length and no chunked coding', async () => {
    const got = await rawRequest(location, 'GET', AS_D);
    assert.equal(got.status, 200);
    assert.equal(got.headers['content-type'], 'application/vnd.wap.mms-message');
    assert.equal(got.headers['transfer-encoding'], undefined);
    assert.equal(Number(got.headers['content-length']), got.body.length);
    const pdu = decodePdu(got.body);
    assert.equal(pdu.messageType, 'm-retrieve-conf');
    const jpegPart = pdu.body!.parts!.find((p) => p.data.length === image.length)!;
    assert.ok(Buffer.from(jpegPart.data).equals(image), 'the image arrives as sent');
    // What MM1 answered before it wrote chunks: encodePdu of the same m-retrieve-conf.
    const message = (await rig.t.mmsc.getMessage(messageId))!;
    const model = retrieveConf(message, (await rig.t.mmsc.getParts(messageId))!, pdu.mmsVersion!);
    if (pdu.transactionId !== undefined) model.transactionId = pdu.transactionId;
    assert.ok(got.body.equals(encodePdu(model, { lenient: true })), 'same bytes as the one-buffer encoding');

    const head = await rawRequest(location, 'HEAD', AS_D);
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], got.headers['content-length']);
    assert.equal(head.body.length, 0);
  });

  it('ranges across the chunk boundaries are the same bytes as the whole', async () => {
    const whole = (await rawRequest(location, 'GET', AS_D)).body;
    const jpegAt = whole.indexOf(image.subarray(0, 64));
    assert.ok(jpegAt > 0);
    const ranges: Array<[number, number]> = [
      [0, 9], // inside the header chunk
      [jpegAt - 5, jpegAt + 5], // header chunk → image
      [jpegAt + image.length - 3, jpegAt + image.length + 20], // image → the next part's headers
      [1, whole.length - 2], // nearly everything
    ];
    for (const [start, end] of ranges) {
      const part = await rawRequest(location, 'GET', { ...AS_D, Range: `bytes=${start}-${end}` });
      assert.equal(part.status, 206);
      assert.equal(part.headers['content-range'], `bytes ${start}-${end}/${whole.length}`);
      assert.equal(Number(part.headers['content-length']), end - start + 1);
      assert.ok(part.body.equals(whole.subarray(start, end + 1)), `bytes=${start}-${end}`);
    }
  });

  it('Wireshark reads the HTTP response as sent and the m-retrieve-conf in it', { skip: tsharkMissing() }, async () => {
    const got = await rawRequest(location, 'GET', AS_D);
    const fields = withPcap(tcpPcap([got.raw], { fromServer: true }), (file) =>
      readFields(file, ['http.response.code', 'http.content_length', 'mmse.message_type', 'mmse.subject', '_ws.malformed']),
    );
    const row = fields.find((r) => (r['mmse.message_type'] ?? []).length > 0);
    assert.ok(row, JSON.stringify(fields));
    assert.deepEqual(row['http.response.code'], ['200']);
    assert.deepEqual(row['http.content_length'], [String(got.body.length)]);
    assert.deepEqual(row['mmse.message_type'], ['0x84']);
    assert.deepEqual(row['mmse.subject'], ['big one']);
    assert.equal(fields.some((r) => (r['_ws.malformed'] ?? []).length > 0), false);
  });
});
