/**
 * Issue 15.5 for MM3: clients that connect and dribble commands (NOOP every half second, or a
 * command a byte at a time) must not lock the operator's mail relay out, and are cut off.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import mm5 from '@openmmsc/plugin-mm5';
import { RawSmtpSink, SlowClients, recordingPushBearer, startTestMmsc, waitFor, type TestMmsc, requireSystem } from '@openmmsc/testkit';
import mm3, { mm3Port } from '../src/index.js';

const run = promisify(execFile);
const DOMAIN = 'mms.example.net';

describe('MM3 inbound under slow clients', { skip: requireSystem('swaks') }, () => {
  let t: TestMmsc;
  let sink: RawSmtpSink;
  let port = 0;
  const push = recordingPushBearer();
  const crowds: SlowClients[] = [];

  before(async () => {
    sink = await new RawSmtpSink().start();
    t = await startTestMmsc({
      // Notified handsets are not waited for at stop (no handset fetches here).
      config: { shutdown: { retrievalGrace: 0 } },
      plugins: [
        { plugin: mm5, options: { resolvers: [{ type: 'prefix', routes: [{ prefix: '+1555', target: 'local' }] }], unmatched: 'reject' } },
        {
          plugin: mm3,
          options: {
            domain: DOMAIN,
            relay: { host: '127.0.0.1', port: sink.port },
            server: {
              host: '127.0.0.1',
              port: 0,
              // The relay at 127.0.0.1; users may log in from anywhere, so strangers can connect.
              allowedSources: ['127.0.0.1/32'],
              users: { submitter: 'secret' },
              listener: { maxConnections: 10, maxConnectionsPerAddress: 3, reservedPerPeer: 3, commandTimeout: '2s' },
            },
          },
        },
        push.plugin,
      ],
    });
    port = mm3Port(t.mmsc)!;
  });
  after(async () => {
    for (const c of crowds) c.stop();
    await t.stop();
    await sink.stop();
  });

  async function relaySends(subject: string): Promise<string> {
    // swaks reads a leading '+' as an option: the digits-only form of the address.
    const args = ['--server', '127.0.0.1', '--port', String(port), '--local-interface', '127.0.0.1', '--from', 'alice@mail.example', '--to', `15550000002@${DOMAIN}`, '--header', `Subject: ${subject}`, '--body', 'hello', '--timeout', '10'];
    try {
      return (await run('swaks', args)).stdout;
    } catch (error) {
      const e = error as { code?: string; stdout?: string };
      if (e.code === 'ENOENT') throw new Error('swaks is not installed: apt-get install -y --no-install-recommends swaks');
      return e.stdout ?? '';
    }
  }

  it('caps one address at connect, cuts NOOP dribblers at the command time-out; the relay gets through', async () => {
    const noop = new SlowClients({ port, localAddress: '127.0.0.5', count: 100, opening: 'EHLO flood\r\n', after: /^220 /m, drip: 'NOOP\r\n', whole: true, everyMs: 500 });
    crowds.push(noop);
    await noop.start();
    await noop.untilOpenAtMost(3, 'connections over the per-address cap refused', 3000);
    assert.ok(noop.connections.filter((c) => /^421 4\.7\.0 too many connections from 127\.0\.0\.5/m.test(c.received)).length >= 97);
    const out = await relaySends('through the crowd');
    assert.match(out, /<-\s+250 /, out);
    await waitFor('the mail reaches the subscriber', () => push.pushes.find((p) => p.to.value === '+15550000002'));
    await noop.untilOpenAtMost(0, 'the NOOP dribblers cut off', 5000);
    const lasted = noop.longestMs();
    assert.ok(lasted < 4000, `the last NOOP dribbler lasted ${lasted} ms (commandTimeout 2 s)`);
  });

  it('keeps slots for the relay when strangers from many addresses fill the listener', async () => {
    const strangers = ['127.0.0.5', '127.0.0.6', '127.0.0.7', '127.0.0.8', '127.0.0.9'].map(
      (a) => new SlowClients({ port, localAddress: a, count: 3, opening: '', after: /^220 /m, drip: 'EHLO x\r\n', everyMs: 300 }),
    );
    crowds.push(...strangers);
    for (const s of strangers) await s.start();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(strangers.reduce((n, s) => n + s.stillOpen, 0), 7, 'strangers get the 7 unreserved slots of 10');
    const out = await relaySends('past the strangers');
    assert.match(out, /<-\s+250 /, out);
    await waitFor('the strangers cut off', () => strangers.every((s) => s.stillOpen === 0), { timeoutMs: 5000 });
  });
});

describe('MM3 while the node refuses new work', { skip: requireSystem('swaks') }, () => {
  it('answers MAIL FROM with 451 4.3.2 and the reason (the relay retries later)', async () => {
    const sink = await new RawSmtpSink().start();
    const t = await startTestMmsc({
      // A watermark above any real disk's free space: the node is "short of storage" from the start.
      config: { admission: { minFreeDisk: '1000000GB' }, shutdown: { retrievalGrace: 0 } },
      plugins: [
        { plugin: mm5, options: { resolvers: [{ type: 'prefix', routes: [{ prefix: '+1555', target: 'local' }] }], unmatched: 'reject' } },
        { plugin: mm3, options: { domain: DOMAIN, relay: { host: '127.0.0.1', port: sink.port }, server: { host: '127.0.0.1', port: 0, allowedSources: ['127.0.0.1/32'] } } },
        recordingPushBearer().plugin,
      ],
    });
    try {
      const args = ['--server', '127.0.0.1', '--port', String(mm3Port(t.mmsc)), '--from', 'alice@mail.example', '--to', `15550000002@${DOMAIN}`, '--body', 'hello', '--timeout', '10'];
      const out = await run('swaks', args).then(
        (r) => r.stdout,
        (e: { stdout?: string }) => e.stdout ?? '',
      );
      assert.match(out, /<\*\*\s+451 4\.3\.2 the MMSC is short of storage/);
    } finally {
      await t.stop();
      await sink.stop();
    }
  });
});
