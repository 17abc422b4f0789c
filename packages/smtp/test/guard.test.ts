/** The listener's protection, met by raw sockets: caps at connect, reserved slots, absolute time-outs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PeerAllowList } from '../src/index.js';
import { refusedCount, startListener } from './fixture.js';
import { RawSmtp } from './raw-client.js';

const peers = new PeerAllowList([
  { name: 'peer-a', addresses: ['127.0.0.2'], maxConnections: 2, config: 'a' },
  { name: 'peer-b', addresses: ['127.0.0.3/32'], maxConnections: 2, config: 'b' },
]);

async function greetings(port: number, localAddress: string, n: number): Promise<{ clients: RawSmtp[]; replies: string[] }> {
  const clients: RawSmtp[] = [];
  for (let i = 0; i < n; i++) clients.push(await RawSmtp.open(port, localAddress));
  return { clients, replies: await Promise.all(clients.map((c) => c.reply())) };
}

describe('SmtpGuard through SmtpListener', () => {
  it('caps a peer at its maxConnections, at connect, with 421 4.7.0 naming it', async () => {
    const s = await startListener({ peers: peers.guarded(), limits: { maxConnections: 20, reservedPerPeer: 0 } });
    try {
      const { clients, replies } = await greetings(s.port, '127.0.0.2', 3);
      assert.match(replies[0]!, /^220 /);
      assert.match(replies[1]!, /^220 /);
      assert.equal(replies[2], '421 4.7.0 too many connections from peer-a; try again later');
      await clients[2]!.closedAt;
      assert.equal(await refusedCount(s.metrics, 'per-peer'), 1);
      // A slot freed is a slot to take again.
      clients[0]!.close();
      await clients[0]!.closedAt;
      await new Promise((r) => setTimeout(r, 50));
      const again = await RawSmtp.open(s.port, '127.0.0.2');
      assert.match(await again.reply(), /^220 /);
      for (const c of [...clients, again]) c.close();
    } finally {
      await s.stop();
    }
  });

  it('keeps reserved slots for each peer that strangers cannot take; strangers are capped per address', async () => {
    // 6 in all, 2 kept for each of two peers: strangers share 2.
    const s = await startListener({ peers: peers.guarded(), limits: { maxConnections: 6, reservedPerPeer: 2, maxConnectionsPerAddress: 1 } });
    const open: RawSmtp[] = [];
    try {
      const one = await greetings(s.port, '127.0.0.5', 2);
      open.push(...one.clients);
      assert.match(one.replies[0]!, /^220 /);
      assert.equal(one.replies[1], '421 4.7.0 too many connections from 127.0.0.5; try again later');
      const other = await greetings(s.port, '127.0.0.6', 1);
      const third = await greetings(s.port, '127.0.0.7', 1);
      open.push(...other.clients, ...third.clients);
      assert.match(other.replies[0]!, /^220 /);
      assert.equal(third.replies[0], '421 4.3.2 too many connections; try again later', 'the unreserved slots are gone');
      const a = await greetings(s.port, '127.0.0.2', 2);
      const b = await greetings(s.port, '127.0.0.3', 2);
      open.push(...a.clients, ...b.clients);
      assert.deepEqual([...a.replies, ...b.replies].map((r) => r.slice(0, 4)), ['220 ', '220 ', '220 ', '220 '], 'each peer still gets its reserved slots');
      assert.equal(await refusedCount(s.metrics, 'per-address'), 1);
      assert.equal(await refusedCount(s.metrics, 'max-connections'), 1);
    } finally {
      for (const c of open) c.close();
      await s.stop();
    }
  });

  it('cuts a client that only sends NOOPs at the command time-out: NOOP buys no time', async () => {
    const s = await startListener({ limits: { commandTimeout: 600 } });
    try {
      const c = await RawSmtp.open(s.port);
      const started = Date.now();
      await c.reply();
      await c.command('EHLO slow.test');
      const timer = setInterval(() => c.write('NOOP\r\n'), 100);
      let last = '';
      try {
        // Every NOOP is answered 250 until the guard's 421.
        for (let r = await c.reply(); ; r = await c.reply()) if (!r.startsWith('250')) {
          last = r;
          break;
        }
      } finally {
        clearInterval(timer);
      }
      assert.equal(last, '421 4.4.2 no progress in time; closing connection');
      const lasted = (await c.closedAt) - started;
      assert.ok(lasted >= 550 && lasted < 1500, `closed after ${lasted} ms (commandTimeout 600 ms)`);
      assert.equal(await refusedCount(s.metrics, 'command-timeout'), 1);
    } finally {
      await s.stop();
    }
  });

  it('gives each step a whole command time-out: a client that moves forward is not cut', async () => {
    const s = await startListener({ limits: { commandTimeout: 500 } });
    try {
      const c = await RawSmtp.open(s.port);
      await c.reply();
      const pause = () => new Promise((r) => setTimeout(r, 300));
      // EHLO is no step (from connect the clock runs to MAIL FROM); each step after it restarts it.
      await c.command('EHLO patient.test');
      await pause();
      assert.match(await c.command('MAIL FROM:<a@x.test>'), /^250/);
      await pause();
      assert.match(await c.command('RCPT TO:<1@ours.test>'), /^250/);
      await pause();
      assert.match(await c.command('DATA'), /^354/);
      assert.match(await c.command('Subject: x\r\n\r\nbody\r\n.'), /^250/);
      c.close();
    } finally {
      await s.stop();
    }
  });

  it('cuts content dribbled after DATA at the data time-out', async () => {
    const s = await startListener({ limits: { commandTimeout: 5000, dataTimeout: 800 } });
    try {
      const c = await RawSmtp.open(s.port);
      await c.reply();
      await c.command('EHLO slow.test');
      await c.command('MAIL FROM:<a@x.test>');
      await c.command('RCPT TO:<1@ours.test>');
      assert.match(await c.command('DATA'), /^354/);
      const started = Date.now();
      const timer = setInterval(() => c.write('x'), 100);
      try {
        assert.equal(await c.reply(), '421 4.4.2 message content not received in time; closing connection');
      } finally {
        clearInterval(timer);
      }
      const lasted = (await c.closedAt) - started;
      assert.ok(lasted >= 750 && lasted < 2000, `closed after ${lasted} ms (dataTimeout 800 ms)`);
      assert.equal(await refusedCount(s.metrics, 'data-timeout'), 1);
    } finally {
      await s.stop();
    }
  });
});
