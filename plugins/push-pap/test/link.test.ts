import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { fastNotifyRetries, linkState, localSubscribers, notificationBuilder, pushBearerProbe, startTestMmsc, waitFor } from '@openmmsc/testkit';
import pushPap from '../src/index.js';

/** A PPG's push-response written by hand (PAP 2.0 §9.2). */
const papAnswer = (code: number, desc: string) =>
  `<?xml version="1.0"?><!DOCTYPE pap PUBLIC "-//WAPFORUM//DTD PAP 2.0//EN" "http://www.wapforum.org/DTD/pap_2.0.dtd"><pap><push-response push-id="x"><response-result code="${code}" desc="${desc}"/></push-response></pap>`;

describe('the PPG as a link (openmmsc_link_up{kind="ppg"})', () => {
  it('is up while the PPG answers, degraded on "try later", down when it stops answering, up again when it is back', async () => {
    // 'ok' answers 1001, 'busy' 4001, 'silent' reads the request and never answers.
    let mode: 'ok' | 'busy' | 'silent' = 'ok';
    const hung: ServerResponse[] = [];
    const ppg = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (mode === 'silent') return void hung.push(res);
        res.writeHead(200, { 'content-type': 'application/xml' }).end(mode === 'ok' ? papAnswer(1001, 'Accepted for processing') : papAnswer(4001, 'Service unavailable'));
      });
    });
    await new Promise<void>((resolve) => ppg.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(ppg.address() as AddressInfo).port}`;
    const probe = pushBearerProbe();
    const t = await startTestMmsc({
      plugins: [localSubscribers(), notificationBuilder(), { plugin: pushPap, options: { url: `http://${host}/wappush`, timeoutMs: 300 } }, probe.plugin],
      config: fastNotifyRetries,
    });
    const push = async () => {
      const to = t.mmsc.parseAddress('+15550000002');
      const notification = { messageId: 'm1', recipient: to, size: 1, expiry: new Date(Date.now() + 60_000), kind: 'message' as const };
      return probe.bearer().push({ to, notification, pdu: new Uint8Array([0x8c, 0x82, 0x98, 0x41, 0x00, 0x8d, 0x93]) }, new AbortController().signal);
    };
    try {
      assert.equal(await linkState(t.mmsc, 'ppg', host), undefined, 'not reported before the first push');
      assert.equal((await push()).status, 'sent');
      assert.equal(await linkState(t.mmsc, 'ppg', host), 1);
      mode = 'busy';
      assert.equal((await push()).status, 'retry');
      assert.equal(await linkState(t.mmsc, 'ppg', host), 0.5, 'PAP 4001: degraded');
      mode = 'silent';
      const silent = await push();
      assert.match(silent.status === 'retry' ? silent.reason : '', /no answer within 300 ms/);
      assert.equal(await linkState(t.mmsc, 'ppg', host), 0, 'no answer: down');
      mode = 'ok';
      await waitFor('up again', async () => (await push()).status === 'sent' && (await linkState(t.mmsc, 'ppg', host)) === 1);
    } finally {
      await t.stop();
      for (const r of hung) r.destroy();
      ppg.closeAllConnections();
      await new Promise<void>((resolve) => ppg.close(() => resolve()));
    }
  });
});
