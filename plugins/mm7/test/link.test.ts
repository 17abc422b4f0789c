import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { buildMessage, linkState, waitFor } from '@openmmsc/testkit';
import { startHarness } from './helpers.js';

const NS = 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4';
/** A VASP's DeliverRsp written by hand (TS 23.140 §8.7.3). */
const deliverRsp = (code: number, text: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Header><mm7:TransactionID xmlns:mm7="${NS}" env:mustUnderstand="1">t1</mm7:TransactionID></env:Header><env:Body><mm7:DeliverRsp xmlns:mm7="${NS}"><mm7:MM7Version>6.8.0</mm7:MM7Version><mm7:Status><mm7:StatusCode>${code}</mm7:StatusCode><mm7:StatusText>${text}</mm7:StatusText></mm7:Status></mm7:DeliverRsp></env:Body></env:Envelope>`;

describe('a VASP endpoint as a link (openmmsc_link_up{kind="vasp"})', () => {
  it('down while the VASP does not answer, degraded while it is busy, up once it takes the DeliverReq, down and up again', async () => {
    // 'silent' reads the request and never answers; 'busy' answers 4006 with HTTP 503; 'ok' answers 1000.
    let mode: 'silent' | 'busy' | 'ok' = 'silent';
    let taken = 0;
    const hung: ServerResponse[] = [];
    const vasp = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (mode === 'silent') return void hung.push(res);
        if (mode === 'ok') taken += 1;
        res.writeHead(mode === 'ok' ? 200 : 503, { 'content-type': 'text/xml; charset=utf-8' }).end(mode === 'ok' ? deliverRsp(1000, 'Success') : deliverRsp(4006, 'Service Unavailable'));
      });
    });
    await new Promise<void>((resolve) => vasp.listen(0, '127.0.0.1', resolve));
    const h = await startHarness({ account: { url: `http://127.0.0.1:${(vasp.address() as AddressInfo).port}/mm7`, timeout: 300 }, config: { jobs: { deliver: { backoffBase: 50, backoffMax: 200, jitter: 0, maxAttempts: 200 } } } });
    const state = () => linkState(h.t.mmsc, 'vasp', 'acme');
    const mo = async (text: string) => {
      const sent = await h.t.mmsc.submit({ message: buildMessage({ from: '+15550000007', to: '12345', text }), origin: { interface: 'mm1' } });
      assert.equal(sent.status, 'accepted');
      return sent.messageId;
    };
    try {
      const first = await mo('first');
      await waitFor('down: no answer', async () => (await state()) === 0);
      mode = 'busy';
      await waitFor('degraded: 4006 / HTTP 503', async () => (await state()) === 0.5);
      mode = 'ok';
      await waitFor('up: DeliverReq taken', async () => (await state()) === 1 && (await h.t.mmsc.getRecipients(first))[0]?.state === 'delivered');
      mode = 'silent';
      const second = await mo('second');
      await waitFor('down again', async () => (await state()) === 0);
      mode = 'ok';
      await waitFor('up again', async () => (await state()) === 1 && (await h.t.mmsc.getRecipients(second))[0]?.state === 'delivered');
      assert.equal(taken, 2);
    } finally {
      await h.stop();
      for (const r of hung) r.destroy();
      vasp.closeAllConnections();
      await new Promise<void>((resolve) => vasp.close(() => resolve()));
    }
  });
});
