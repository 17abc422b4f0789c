import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RawSmtpSink, buildMessage, linkState, recordingPushBearer, startTestMmsc, waitFor } from '@openmmsc/testkit';
import mm5 from '@openmmsc/plugin-mm5';
import mm4 from '../src/index.js';
import { DOMAIN_A, DOMAIN_B, freePort } from './helpers.js';

describe('MM4 peers as links (openmmsc_link_up{kind="mm4-peer"})', () => {
  it('down while the peer refuses connections, degraded on 4xx, up once it takes a mail, down when it stops, up when it is back', async () => {
    const port = await freePort();
    const t = await startTestMmsc({
      config: { jobs: { deliver: { backoffBase: '100ms', backoffMax: '300ms', maxAttempts: 200 } } },
      plugins: [
        { plugin: mm5, options: { localDomains: [DOMAIN_A], resolvers: [{ type: 'prefix', routes: [{ prefix: '+1666', target: 'mm4', destination: DOMAIN_B }] }] } },
        { plugin: mm4, options: { domain: DOMAIN_A, server: { enabled: false }, peers: [{ domain: DOMAIN_B, host: '127.0.0.1', port }] } },
        recordingPushBearer().plugin,
      ],
    });
    const state = () => linkState(t.mmsc, 'mm4-peer', DOMAIN_B);
    const send = async (text: string) => {
      const r = await t.mmsc.submit({ message: buildMessage({ from: '+15550000001', to: '+16660000001', text }), origin: { interface: 'mm1' } });
      assert.equal(r.status, 'accepted');
    };
    const sink = new RawSmtpSink();
    try {
      await send('first');
      await waitFor('down: nothing listens', async () => (await state()) === 0);
      sink.refuseMailWith = '451 4.3.0 try again later';
      await sink.start(port);
      await waitFor('degraded: 451', async () => (await state()) === 0.5);
      sink.refuseMailWith = undefined;
      await waitFor('up: the mail is taken', async () => sink.mails.length === 1 && (await state()) === 1);
      await sink.stop();
      await send('second');
      await waitFor('down: the peer stopped', async () => (await state()) === 0);
      const back = new RawSmtpSink();
      await back.start(port);
      try {
        await waitFor('up: the peer is back', async () => back.mails.length === 1 && (await state()) === 1);
      } finally {
        await back.stop();
      }
    } finally {
      await t.stop();
      await sink.stop().catch(() => undefined);
    }
  });
});
