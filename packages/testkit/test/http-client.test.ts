import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { decodePdu } from '@openmmsc/codec';
import { HttpClient, SimulatedHandset } from '../src/index.js';

/** m-send-conf (0x81), Ok, Message-ID mid-1, written from OMA-TS-MMS-ENC byte by byte. */
const sendConf = Buffer.from([0x8c, 0x81, 0x98, 0x53, 0x31, 0x00, 0x8d, 0x92, 0x92, 0x80, 0x8b, 0x6d, 0x69, 0x64, 0x2d, 0x31, 0x00]);

describe('HttpClient: a body given as chunks', () => {
  let server: Server;
  let url: string;
  const seen: Array<{ headers: IncomingHttpHeaders; body: Buffer }> = [];
  before(async () => {
    server = createServer((req, res) => {
      const got: Buffer[] = [];
      req.on('data', (d: Buffer) => got.push(d));
      req.on('end', () => {
        seen.push({ headers: req.headers, body: Buffer.concat(got) });
        res.writeHead(200, { 'content-type': 'application/vnd.wap.mms-message' }).end(sendConf);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mms`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('is sent whole, with the Content-Length of the chunks and no chunked coding', async () => {
    const http = new HttpClient(1);
    try {
      const chunks = [Buffer.from('head-'), new Uint8Array(70_000).fill(0x62), Buffer.from('-tail')];
      const res = await http.send(url, { method: 'POST', body: { chunks, length: 70_010 } });
      assert.equal(res.status, 200);
      const last = seen.at(-1)!;
      assert.equal(last.headers['content-length'], '70010');
      assert.equal(last.headers['transfer-encoding'], undefined);
      assert.ok(last.body.equals(Buffer.concat(chunks)));
    } finally {
      http.close();
    }
  });

  it('the handset posts its m-send-req that way, and the server gets a whole PDU with its attachment', async () => {
    const phone = new SimulatedHandset({ msisdn: '+15550000001', mmscUrl: url });
    try {
      const photo = Buffer.alloc(50_000, 0x5a);
      const sent = await phone.send({ to: '+15550000002', subject: 'chunks', attachments: [{ contentType: 'image/jpeg', data: photo, name: 'p.jpg' }] });
      assert.equal(sent.status, 'ok');
      const last = seen.at(-1)!;
      assert.equal(Number(last.headers['content-length']), last.body.length);
      const pdu = decodePdu(last.body);
      assert.equal(pdu.messageType, 'm-send-req');
      assert.ok(pdu.body!.parts!.some((p) => Buffer.from(p.data).equals(photo)));
    } finally {
      await phone.close();
    }
  });
});
