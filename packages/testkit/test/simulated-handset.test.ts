import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SimulatedHandset, waitFor } from '../src/index.js';

// The MMSC's side written from OMA-TS-MMS-ENC (WSP/MMS encapsulation), byte by byte.
const zstr = (s: string) => Buffer.concat([Buffer.from(s, 'latin1'), Buffer.from([0])]);

/** m-retrieve-conf (0x84), MMS 1.2, with one text/plain part "hello". */
const retrieveConf = Buffer.concat([
  Buffer.from([0x8c, 0x84]), // X-Mms-Message-Type: m-retrieve-conf
  Buffer.from([0x98]), zstr('T1'), // X-Mms-Transaction-ID
  Buffer.from([0x8d, 0x92]), // X-Mms-MMS-Version: 1.2
  Buffer.from([0x85, 0x04, 0x65, 0x00, 0x00, 0x00]), // Date (long integer)
  Buffer.from([0x84, 0xa3]), // Content-Type: application/vnd.wap.multipart.mixed
  Buffer.from([0x01]), // one part
  Buffer.from([0x01, 0x05, 0x83]), // headers length 1, data length 5, Content-Type text/plain
  Buffer.from('hello'),
]);

/** m-send-conf (0x81): Ok (0x80), Message-ID mid-1. */
const sendConf = Buffer.concat([Buffer.from([0x8c, 0x81, 0x98]), zstr('S1'), Buffer.from([0x8d, 0x92, 0x92, 0x80, 0x8b]), zstr('mid-1')]);

/** A WAP Push (connectionless WSP, OMA-WAP-TS-WSP 8.2.4.1) of an m-notification-ind, in one SMS with a WDP port UDH. */
function notificationSms(contentLocation: string): Buffer {
  const mms = Buffer.concat([
    Buffer.from([0x8c, 0x82]), // m-notification-ind
    Buffer.from([0x98]), zstr('T1'),
    Buffer.from([0x8d, 0x92]),
    Buffer.from([0x8a, 0x80]), // X-Mms-Message-Class: personal
    Buffer.from([0x8e, 0x01, 0x64]), // X-Mms-Message-Size: 100
    Buffer.from([0x88, 0x04, 0x81, 0x02, 0x0e, 0x10]), // X-Mms-Expiry: relative, 3600 s
    Buffer.from([0x83]), zstr(contentLocation),
  ]);
  const wsp = Buffer.concat([Buffer.from([0x01, 0x06, 0x03, 0xbe, 0xaf, 0x84]), mms]); // TID, Push, headers: CT mms-message, App-Id mms.ua
  const udh = Buffer.from([0x06, 0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0]); // 16-bit ports 2948 ← 9200
  return Buffer.concat([udh, wsp]);
}

interface Seen {
  method: string;
  url: string;
  msisdn: string | undefined;
  body: Buffer;
}

describe('SimulatedHandset against an MMSC written from the encapsulation spec', () => {
  const seen: Seen[] = [];
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method!, url: req.url!, msisdn: req.headers['x-wap-network-client-msisdn'] as string | undefined, body });
      if (req.method === 'GET') res.writeHead(200, { 'content-type': 'application/vnd.wap.mms-message' }).end(retrieveConf);
      else if (body[1] === 0x80) res.writeHead(200, { 'content-type': 'application/vnd.wap.mms-message' }).end(sendConf);
      else res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('on a WAP Push notification: fetches with its MSISDN header, then answers m-notifyresp-ind Retrieved', async () => {
    const handset = new SimulatedHandset({ msisdn: '+15550000001', mmscUrl: `${base}/mms` });
    try {
      handset.deliverSms(notificationSms(`${base}/m/1`), { udhi: true });
      await waitFor('the notification answered', () => seen.find((s) => s.method === 'POST' && s.body[1] === 0x83));
      await handset.idle();
      assert.equal(handset.errors.length, 0, handset.errors.map((e) => e.message).join('; '));
      assert.equal(handset.notifications[0]?.pdu.contentLocation, `${base}/m/1`);
      const get = seen.find((s) => s.method === 'GET')!;
      assert.deepEqual([get.url, get.msisdn], ['/m/1', '15550000001']);
      assert.deepEqual(handset.messages[0]?.texts, ['hello']);
      const resp = seen.find((s) => s.method === 'POST' && s.body[1] === 0x83)!;
      // m-notifyresp-ind: Transaction-ID T1, X-Mms-Status Retrieved (0x81).
      assert.ok(resp.body.includes(Buffer.concat([Buffer.from([0x98]), zstr('T1')])), 'echoes the transaction id');
      assert.ok(resp.body.includes(Buffer.from([0x95, 0x81])), 'status Retrieved');
      assert.equal(resp.msisdn, '15550000001');
    } finally {
      await handset.close();
    }
  });

  it('sends an m-send-req and reads the m-send-conf', async () => {
    const handset = new SimulatedHandset({ msisdn: '15550000002', mmscUrl: `${base}/mms`, mode: 'manual' });
    try {
      const result = await handset.send({ to: '+15550000003', subject: 'Hi', text: 'how are you' });
      assert.equal(result.httpStatus, 200);
      assert.equal(result.messageId, 'mid-1');
      const post = seen.filter((s) => s.method === 'POST' && s.body[1] === 0x80).at(-1)!;
      assert.equal(post.msisdn, '15550000002');
      assert.equal(post.body[0], 0x8c, 'starts with X-Mms-Message-Type');
      // The recipient as an MMS address with its type suffix, and the text part's bytes.
      assert.ok(post.body.includes(Buffer.from('+15550000003/TYPE=PLMN')), 'To in MMS address form');
      assert.ok(post.body.includes(Buffer.from('how are you')));
      assert.ok(post.body.includes(Buffer.from([0x96, 0x48, 0x69, 0x00])), 'Subject "Hi"');
    } finally {
      await handset.close();
    }
  });

  it('keeps a plain (no UDH) SMS as text, and ignores SMS to another number', () => {
    const handset = new SimulatedHandset({ msisdn: '+15550000004', mmscUrl: `${base}/mms`, mode: 'manual' });
    handset.onSms({ destinationAddr: '15550000009', shortMessage: Buffer.from('not mine'), esmClass: 0, dataCoding: 0 });
    handset.onSms({ destinationAddr: '+15550000004', shortMessage: Buffer.from('see http://x'), esmClass: 0, dataCoding: 0 });
    assert.deepEqual(handset.texts, ['see http://x']);
    assert.equal(handset.notifications.length, 0);
  });
});
