/**
 * Issue 15.5: one peer's address must not lock the others out. Before: 100 connections dribbling
 * NOOP from a peer's address filled `maxClients`, every byte reset the idle timer, and a real peer
 * got `421 Too many connected clients` for the whole minute.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { SlowClients, recordingPushBearer, startTestMmsc, waitFor, type TestMmsc, requireSystem } from '@openmmsc/testkit';
import mm5 from '@openmmsc/plugin-mm5';
import mm4, { mm4Port } from '../src/index.js';
import { DOMAIN_A, DOMAIN_B } from './helpers.js';

const run = promisify(execFile);
const DOMAIN_C = 'mms.mnc003.mcc001.gprs';

describe('MM4 inbound under greedy and slow clients', { skip: requireSystem('swaks') }, () => {
  let t: TestMmsc;
  let port = 0;
  let dir = '';
  const push = recordingPushBearer();
  const crowds: SlowClients[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mm4-greedy-'));
    t = await startTestMmsc({
      // Notified handsets are not waited for at stop (no handset fetches here).
      config: { shutdown: { retrievalGrace: 0 } },
      plugins: [
        { plugin: mm5, options: { resolvers: [{ type: 'local', prefixes: ['+1666'] }], unmatched: 'reject' } },
        {
          plugin: mm4,
          options: {
            domain: DOMAIN_B,
            server: {
              host: '127.0.0.1',
              port: 0,
              // 6 in all, 2 kept for each of the two peers known by address: 2 shared.
              listener: { maxConnections: 6, reservedPerPeer: 2, maxConnectionsPerAddress: 5, commandTimeout: '2s', dataTimeout: '3s' },
            },
            peers: [
              { domain: DOMAIN_A, host: '127.0.0.1', port: 9, addresses: ['127.0.0.2'], maxConnections: 2 },
              { domain: DOMAIN_C, host: '127.0.0.1', port: 9, addresses: ['127.0.0.3'], maxConnections: 2 },
              // A peer that logs in from anywhere: strangers may connect (and must then log in).
              { domain: 'roaming.example', host: '127.0.0.1', port: 9, inboundAuth: { user: 'roamer', pass: 'secret' } },
            ],
          },
        },
        push.plugin,
      ],
    });
    port = mm4Port(t.mmsc)!;
  });
  after(async () => {
    for (const c of crowds) c.stop();
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The real peer C sends an MM4_forward.REQ with swaks from its own address. */
  async function peerCSends(tag: string): Promise<string> {
    const file = join(dir, `${tag}.eml`);
    writeFileSync(
      file,
      [
        `From: +16660000009/TYPE=PLMN@${DOMAIN_C}`,
        `To: +16660000001/TYPE=PLMN@${DOMAIN_B}`,
        'X-Mms-3GPP-MMS-Version: 6.3.0',
        'X-Mms-Message-Type: MM4_forward.REQ',
        `X-Mms-Transaction-ID: ${tag}`,
        `X-Mms-Message-ID: ${tag}@${DOMAIN_C}`,
        `X-Mms-Originator-System: system-user@${DOMAIN_C}`,
        'X-Mms-Ack-Request: No',
        `Subject: ${tag}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'hello from peer C',
        '',
      ].join('\r\n'),
    );
    // swaks reads a leading '+' as an option: the envelope gives the number without it (TYPE=PLMN makes it international).
    const args = ['--server', '127.0.0.1', '--port', String(port), '--local-interface', '127.0.0.3', '--from', `system-user@${DOMAIN_C}`, `--to`, `16660000001/TYPE=PLMN@${DOMAIN_B}`, '--data', file, '--timeout', '10'];
    try {
      return (await run('swaks', args)).stdout;
    } catch (error) {
      const e = error as { code?: string; stdout?: string; stderr?: string };
      if (e.code === 'ENOENT') throw new Error('swaks is not installed: apt-get install -y --no-install-recommends swaks');
      return `${e.stdout ?? ''}${e.stderr ?? ''}`;
    }
  }

  it('caps a peer at connect, cuts NOOP dribblers at the command time-out, and the other peer gets through', async () => {
    const noop = new SlowClients({ port, localAddress: '127.0.0.2', count: 100, opening: 'EHLO flood\r\n', after: /^220 /m, drip: 'NOOP\r\n', whole: true, everyMs: 500 });
    crowds.push(noop);
    await noop.start();
    await noop.untilOpenAtMost(2, 'connections over peer A\'s cap refused', 3000);
    const refused = noop.connections.filter((c) => /^421 4\.7\.0 too many connections from mms\.mnc001/m.test(c.received)).length;
    assert.ok(refused >= 98, `${refused} of 100 were refused at connect for the peer's cap`);

    const out = await peerCSends('c-1');
    assert.match(out, /<-\s+250 /, out);
    assert.doesNotMatch(out, /Too many connected clients/);
    await waitFor('peer C\'s message reaches the subscriber', () => push.pushes.find((p) => p.to.value === '+16660000001'));

    // NOOPs every half second move nothing forward: the two admitted are cut at commandTimeout.
    await noop.untilOpenAtMost(0, 'the NOOP dribblers cut off', 5000);
    const lasted = noop.longestMs();
    assert.ok(lasted < 4000, `the last NOOP dribbler lasted ${lasted} ms (commandTimeout 2 s)`);
    assert.ok(noop.connections.some((c) => /^421 4\.4\.2 /m.test(c.received)), 'a dribbler was told why');
  });

  it('keeps slots for each peer when strangers fill the listener', async () => {
    // Strangers from other addresses may connect (the roaming peer logs in from anywhere) and dribble a command.
    const strangers = ['127.0.0.7', '127.0.0.8'].map((a) => new SlowClients({ port, localAddress: a, count: 5, opening: '', after: /^220 /m, drip: 'EHLO x\r\n', everyMs: 300 }));
    crowds.push(...strangers);
    for (const s of strangers) await s.start();
    await new Promise((r) => setTimeout(r, 300));
    const held = strangers.reduce((n, s) => n + s.stillOpen, 0);
    assert.equal(held, 2, 'strangers get only the 2 shared slots');
    const out = await peerCSends('c-2');
    assert.match(out, /<-\s+250 /, out);
    // A command dribbled a byte at a time is cut at commandTimeout, although bytes keep coming.
    await waitFor('the strangers cut off', () => strangers.every((s) => s.stillOpen === 0), { timeoutMs: 5000 });
    const metrics = await (await fetch(`${t.mmsc.adminUrl}/metrics`)).text();
    assert.match(metrics, /openmmsc_listener_refused_total\{listener="mm4",reason="per-peer"\} \d+/);
    assert.match(metrics, /openmmsc_listener_refused_total\{listener="mm4",reason="command-timeout"\} \d+/);
  });
});
