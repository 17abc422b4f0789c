import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RawSmtpSink, buildMessage, jobRetries, rawHeader, recordingPushBearer, restartableMmsc, sendSmtp, waitFor, whileRunning, type TestMmscOptions } from '@openmmsc/testkit';
import mm5 from '@openmmsc/plugin-mm5';
import mm4, { mm4Port } from '../src/index.js';
import { DOMAIN_A, DOMAIN_B, freePort } from './helpers.js';
import { forwardReq } from './peer-fixture.js';

const RESPONSE_KIND = '@openmmsc/plugin-mm4/response';

/** Our MMSC (B); peer A answers (MM4_*.RES) go to `peerPort`. */
function nodeB(peerPort: number, push: ReturnType<typeof recordingPushBearer>): TestMmscOptions {
  return {
    plugins: [
      { plugin: mm5, options: { localDomains: [DOMAIN_B], resolvers: [{ type: 'prefix', routes: [{ prefix: '+1666', target: 'local' }] }], unmatched: 'reject' } },
      {
        plugin: mm4,
        options: {
          domain: DOMAIN_B,
          responseRetries: 20,
          server: { host: '127.0.0.1', port: 0 },
          peers: [{ domain: DOMAIN_A, host: '127.0.0.1', port: peerPort, addresses: ['127.0.0.2'] }],
        },
      },
      push.plugin,
    ],
  };
}

/** Our MMSC (A), forwarding +1666… to peer B at `peerPort`. */
function nodeA(peerPort: number): TestMmscOptions {
  return {
    config: { jobs: { deliver: { backoffBase: '100ms', backoffMax: '300ms', maxAttempts: 100 } } },
    plugins: [
      {
        plugin: mm5,
        options: { localDomains: [DOMAIN_A], resolvers: [{ type: 'prefix', routes: [{ prefix: '+1666', target: 'mm4', destination: DOMAIN_B }] }] },
      },
      { plugin: mm4, options: { domain: DOMAIN_A, server: { enabled: false }, peers: [{ domain: DOMAIN_B, host: '127.0.0.1', port: peerPort }] } },
      recordingPushBearer().plugin,
    ],
  };
}

describe('MM4 retries are durable jobs', () => {
  it('an MM4_forward.REQ retried while the peer is down survives a restart and is forwarded once when it comes back', async () => {
    const peerPort = await freePort();
    let sink: RawSmtpSink | undefined;
    await whileRunning(
      restartableMmsc('openmmsc-mm4-restart-', nodeA(peerPort)),
      async (a) => {
        await a.start();
        const r = await a.mmsc.submit({ message: buildMessage({ from: '+15550000001', to: '+16660000001', text: 'over MM4' }), origin: { interface: 'mm1' } });
        assert.equal(r.status, 'accepted');
        await waitFor('a failed forward, retry scheduled', async () => ((await a.mmsc.queue.job(`deliver:${r.messageId}:0`))?.attempt ?? 0) >= 2);
        await a.down();

        sink = await new RawSmtpSink().start(peerPort);
        await a.start();
        const forwarded = await waitFor('the MM4_forward.REQ after the restart', () => sink!.mails.find((m) => rawHeader(m.raw, 'X-Mms-Message-Type') === 'MM4_forward.REQ'), { timeoutMs: 15_000 });
        assert.equal(rawHeader(forwarded.raw, 'X-Mms-Transaction-ID'), `${r.messageId}.0`);
        await waitFor('recipient delivered', async () => (await a.mmsc.getRecipients(r.messageId))[0]?.state === 'delivered');
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(sink.mails.length, 1, 'forwarded once');
      },
      { stop: () => sink?.stop() },
    );
  });

  it('an MM4_forward.RES retried while the peer is down survives a restart and is sent once when it comes back', async () => {
    // Nothing listens here until the peer "comes back": every attempt meets a refused connection.
    const peerPort = await freePort();
    const push = recordingPushBearer();
    let sink: RawSmtpSink | undefined;
    await whileRunning(
      restartableMmsc('openmmsc-mm4-restart-', nodeB(peerPort, push)),
      async (b) => {
        await b.start();
        const { raw, transactionId } = forwardReq();
        const exchange = await sendSmtp({ port: mm4Port(b.mmsc)!, localAddress: '127.0.0.2', mailFrom: `system-user@${DOMAIN_A}`, rcptTo: [`+16660000001/TYPE=PLMN@${DOMAIN_B}`], data: raw });
        assert.match(exchange.data, /^250/);
        await waitFor('a failed attempt of the answer, retry scheduled', async () => ((await b.mmsc.queue.stats())[RESPONSE_KIND]?.delayed ?? 0) === 1 && (await jobRetries(b.mmsc)) > 0);
        await b.down();

        await b.start();
        sink = await new RawSmtpSink().start(peerPort);
        const answered = await waitFor(
          'the MM4_forward.RES after the restart',
          () => sink!.mails.find((m) => rawHeader(m.raw, 'X-Mms-Transaction-ID') === transactionId),
          { timeoutMs: 15_000 },
        );
        assert.equal(rawHeader(answered.raw, 'X-Mms-Message-Type'), 'MM4_forward.RES');
        assert.equal(rawHeader(answered.raw, 'X-Mms-Request-Status-Code'), 'Ok');
        assert.deepEqual(answered.rcptTo, [`system-user@${DOMAIN_A}`]);
        await waitFor('the job is done', async () => ((await b.mmsc.queue.stats())[RESPONSE_KIND]?.delayed ?? 1) === 0);
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(sink.mails.length, 1, 'the answer is sent once');
        assert.equal(push.pushes.length, 1, 'the forwarded message was stored and notified once');
      },
      { stop: () => sink?.stop() },
    );
  });
});
