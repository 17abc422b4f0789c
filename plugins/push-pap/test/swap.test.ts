// Swapping the push bearer is a config change: the same MMSC, with both bearer plugins listed,
// sends through whichever `services.pushBearer` names.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import pushSmpp from '@openmmsc/plugin-push-smpp';
import { buildMessage, fastNotifyRetries, localSubscribers, notificationBuilder, SimulatedSmsc, startTestMmsc, waitFor } from '@openmmsc/testkit';
import pushPap from '../src/index.js';

describe('choosing the push bearer in config', () => {
  it('sends through SMPP or PAP depending on services.pushBearer', async () => {
    const smsc = new SimulatedSmsc();
    await smsc.start();
    let papRequests = 0;
    const ppg = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        papRequests++;
        res.writeHead(202, { 'content-type': 'application/xml' }).end('<?xml version="1.0"?><pap><push-response push-id="x"><response-result code="1001" desc="ok"/></push-response></pap>');
      });
    });
    await new Promise<void>((resolve) => ppg.listen(0, '127.0.0.1', resolve));
    const papUrl = `http://127.0.0.1:${(ppg.address() as AddressInfo).port}/wappush`;
    try {
      for (const chosen of ['@openmmsc/plugin-push-smpp', '@openmmsc/plugin-push-pap'] as const) {
        const t = await startTestMmsc({
          plugins: [
            localSubscribers(),
            notificationBuilder(),
            { plugin: pushSmpp, options: { links: [{ host: '127.0.0.1', port: smsc.port, systemId: 'mmsc' }] } },
            { plugin: pushPap, options: { url: papUrl } },
          ],
          config: { ...fastNotifyRetries, services: { pushBearer: chosen } },
        });
        try {
          const before = { smpp: smsc.submits.length, pap: papRequests };
          const r = await t.mmsc.submit({ message: buildMessage({ to: '+15550000002' }), origin: { interface: 'api' } });
          assert.equal(r.status, 'accepted');
          const rec = await waitFor('notified', async () => {
            const x = (await t.mmsc.getRecipients(r.messageId))[0];
            return x?.state === 'notified' ? x : undefined;
          });
          assert.equal(rec.history.at(-1)!.by, chosen);
          if (chosen === '@openmmsc/plugin-push-smpp') assert.deepEqual([smsc.submits.length - before.smpp, papRequests - before.pap], [1, 0]);
          else assert.deepEqual([smsc.submits.length - before.smpp, papRequests - before.pap], [0, 1]);
        } finally {
          await t.stop();
        }
      }
    } finally {
      await new Promise<void>((resolve) => ppg.close(() => resolve()));
      await smsc.stop();
    }
  });
});
