import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RawSmtpSink, buildMessage, rawHeader, recordingPushBearer, sendSmtp, startTestMmsc, waitFor, type TestMmsc } from '@openmmsc/testkit';
import mm5 from '@openmmsc/plugin-mm5';
import mm4, { mm4Port } from '../src/index.js';
import { DOMAIN_A, DOMAIN_B, freePort } from './helpers.js';
import { forwardReq } from './peer-fixture.js';

const RESPONSE_KIND = '@openmmsc/plugin-mm4/response';

/** Our MMSC (B) on a store that outlives it; peer A answers (MM4_*.RES) go to `peerPort`. */
async function startB(store: string, peerPort: number, push: ReturnType<typeof recordingPushBearer>): Promise<TestMmsc> {
  return startTestMmsc({
    config: { store: { type: 'sqlite', path: store } },
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
  });
}

/** Our MMSC (A) on a store that outlives it, forwarding +1666… to peer B at `peerPort`. */
function startA(store: string, peerPort: number): Promise<TestMmsc> {
  return startTestMmsc({
    config: { store: { type: 'sqlite', path: store }, jobs: { deliver: { backoffBase: '100ms', backoffMax: '300ms', maxAttempts: 100 } } },
    plugins: [
      {
        plugin: mm5,
        options: { localDomains: [DOMAIN_A], resolvers: [{ type: 'prefix', routes: [{ prefix: '+1666', target: 'mm4', destination: DOMAIN_B }] }] },
      },
      { plugin: mm4, options: { domain: DOMAIN_A, server: { enabled: false }, peers: [{ domain: DOMAIN_B, host: '127.0.0.1', port: peerPort }] } },
      recordingPushBearer().plugin,
    ],
  });
}

describe('MM4 retries are durable jobs', () => {
  it('an MM4_forward.REQ retried while the peer is down survives a restart and is forwarded once when it comes back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-mm4-restart-'));
    const store = join(dir, 'store.sqlite');
    const peerPort = await freePort();
    let a: TestMmsc | undefined;
    let sink: RawSmtpSink | undefined;
    try {
      a = await startA(store, peerPort);
      const r = await a.mmsc.submit({ message: buildMessage({ from: '+15550000001', to: '+16660000001', text: 'over MM4' }), origin: { interface: 'mm1' } });
      assert.equal(r.status, 'accepted');
      const first = a;
      await waitFor('a failed forward, retry scheduled', async () => ((await first.mmsc.queue.job(`deliver:${r.messageId}:0`))?.attempt ?? 0) >= 2);
      await a.stop();
      a = undefined;

      sink = await new RawSmtpSink().start(peerPort);
      a = await startA(store, peerPort);
      const forwarded = await waitFor('the MM4_forward.REQ after the restart', () => sink!.mails.find((m) => rawHeader(m.raw, 'X-Mms-Message-Type') === 'MM4_forward.REQ'), { timeoutMs: 15_000 });
      assert.equal(rawHeader(forwarded.raw, 'X-Mms-Transaction-ID'), `${r.messageId}.0`);
      const second = a;
      await waitFor('recipient delivered', async () => (await second.mmsc.getRecipients(r.messageId))[0]?.state === 'delivered');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(sink.mails.length, 1, 'forwarded once');
    } finally {
      await a?.stop();
      await sink?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an MM4_forward.RES retried while the peer is down survives a restart and is sent once when it comes back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-mm4-restart-'));
    const store = join(dir, 'store.sqlite');
    // Nothing listens here until the peer "comes back": every attempt meets a refused connection.
    const peerPort = await freePort();
    const push = recordingPushBearer();
    let b: TestMmsc | undefined;
    let sink: RawSmtpSink | undefined;
    try {
      b = await startB(store, peerPort, push);
      const { raw, transactionId } = forwardReq();
      const exchange = await sendSmtp({ port: mm4Port(b.mmsc)!, localAddress: '127.0.0.2', mailFrom: `system-user@${DOMAIN_A}`, rcptTo: [`+16660000001/TYPE=PLMN@${DOMAIN_B}`], data: raw });
      assert.match(exchange.data, /^250/);
      const first = b;
      await waitFor('a failed attempt of the answer, retry scheduled', async () => {
        const s = (await first.mmsc.queue.stats())[RESPONSE_KIND];
        return (s?.delayed ?? 0) === 1 && /outcome="retry"\} [1-9]/.test(await first.mmsc.registry.getSingleMetricAsString('openmmsc_jobs_total'));
      });
      await b.stop();
      b = undefined;

      b = await startB(store, peerPort, push);
      sink = await new RawSmtpSink().start(peerPort);
      const answered = await waitFor(
        'the MM4_forward.RES after the restart',
        () => sink!.mails.find((m) => rawHeader(m.raw, 'X-Mms-Transaction-ID') === transactionId),
        { timeoutMs: 15_000 },
      );
      assert.equal(rawHeader(answered.raw, 'X-Mms-Message-Type'), 'MM4_forward.RES');
      assert.equal(rawHeader(answered.raw, 'X-Mms-Request-Status-Code'), 'Ok');
      assert.deepEqual(answered.rcptTo, [`system-user@${DOMAIN_A}`]);
      const second = b;
      await waitFor('the job is done', async () => ((await second.mmsc.queue.stats())[RESPONSE_KIND]?.delayed ?? 1) === 0);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(sink.mails.length, 1, 'the answer is sent once');
      assert.equal(push.pushes.length, 1, 'the forwarded message was stored and notified once');
    } finally {
      await b?.stop();
      await sink?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
