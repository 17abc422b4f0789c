import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { definePlugin, type PluginInput } from '@openmmsc/core';
import { buildMessage, recordingPushBearer, requireSystem, startRedis, startTestMmsc, waitFor, type TestMmsc, type TestMmscOptions, whileRunning } from '@openmmsc/testkit';
import antispam, { QUARANTINE_TARGET } from '../src/index.js';
import { EICAR, startClamd, type Clamd } from './clamd-helper.js';

const phones = definePlugin({
  name: 'test-phones',
  version: '0.0.0',
  apiVersion: '^1.0.0',
  setup(ctx) {
    ctx.provide('RoutingResolver', { name: 'test-phones', resolve: async () => ({ kind: 'route', route: { target: 'local' } }) });
  },
});

function start(options: Record<string, unknown>, config?: TestMmscOptions['config']): Promise<TestMmsc> {
  const plugins: PluginInput[] = [{ plugin: antispam, options }, phones, recordingPushBearer().plugin];
  return startTestMmsc(config ? { plugins, config } : { plugins });
}

const codes = (results: Array<{ status: string; reason?: { code: string } }>) => results.map((r) => (r.status === 'accepted' ? 'accepted' : r.reason!.code));

/**
 * Submits `n` messages over MM1 at once, the i-th being `message(i)` sent through
 * `nodes[i % nodes.length]`, and counts the answers by code (`accepted` or the refusal's code).
 */
async function burst(nodes: TestMmsc[], n: number, message: (i: number) => ReturnType<typeof buildMessage>): Promise<Record<string, number>> {
  const results = await Promise.all(Array.from({ length: n }, (_, i) => nodes[i % nodes.length]!.mmsc.submit({ message: message(i), origin: { interface: 'mm1' } })));
  const tally: Record<string, number> = {};
  for (const code of codes(results)) tally[code] = (tally[code] ?? 0) + 1;
  return tally;
}

describe('anti-spam', () => {
  it('rate-limits a sender under a burst (token bucket), other senders unaffected', async () => {
    await whileRunning(start({ rateLimits: [{ scope: 'sender', limit: 5, window: '1m' }] }), async (t) => {
      assert.deepEqual(await burst([t], 20, () => buildMessage({ from: '+15550000001' })), { accepted: 5, 'limit-exceeded': 15 });
      const other = await t.mmsc.submit({ message: buildMessage({ from: '+15550000077' }), origin: { interface: 'mm1' } });
      assert.equal(other.status, 'accepted');
    });
  });

  it('rate-limits per VASP, per peer and per destination (per recipient)', async () => {
    await whileRunning(start({
      rateLimits: [
        { scope: 'vasp', limit: 2, window: '1h', interfaces: ['mm7'] },
        { scope: 'peer', limit: 3, window: '1h', interfaces: ['mm4'] },
        { scope: 'destination', limit: 2, window: '1h' },
      ],
    }), async (t) => {
      const vasp = [];
      for (let i = 0; i < 3; i++) vasp.push(await t.mmsc.submit({ message: buildMessage({ from: '12345', to: `+1555100000${i}` }), origin: { interface: 'mm7', attributes: { vaspId: 'v1' } } }));
      assert.deepEqual(codes(vasp), ['accepted', 'accepted', 'limit-exceeded']);
      const peer = [];
      for (let i = 0; i < 4; i++) peer.push(await t.mmsc.submit({ message: buildMessage({ from: `+1666000000${i}`, to: `+1555200000${i}` }), origin: { interface: 'mm4', peer: 'mms.other.net' } }));
      assert.deepEqual(codes(peer), ['accepted', 'accepted', 'accepted', 'limit-exceeded']);
      const dest = [];
      for (let i = 0; i < 3; i++) dest.push(await t.mmsc.submit({ message: buildMessage({ from: `+1777000000${i}`, to: ['+15553000000', `+1555300001${i}`] }), origin: { interface: 'mm1' } }));
      assert.deepEqual(dest.map((r) => r.status), ['accepted', 'accepted', 'accepted']);
      assert.deepEqual(dest[2]!.recipients.map((r) => (r.status === 'rejected' ? r.reason.code : r.status)), ['limit-exceeded', 'accepted']);
    });
  });

  it('detects the same content sent to many recipients within the window, under a burst', async () => {
    await whileRunning(start({ duplicates: { enabled: true, maxRecipients: 10, window: '10m', score: 10 } }), async (t) => {
      const sameText = (i: number) => buildMessage({ from: `+1888${String(i).padStart(7, '0')}`, to: `+1555${String(i).padStart(7, '0')}`, text: 'WIN A PRIZE NOW' });
      assert.deepEqual(await burst([t], 25, sameText), { accepted: 10, spam: 15 });
      const different = await t.mmsc.submit({ message: buildMessage({ text: 'see you at 8' }), origin: { interface: 'mm1' } });
      assert.equal(different.status, 'accepted');
    });
  });

  it('block and allow lists: numbers, prefixes, domains, VASPs', async () => {
    await whileRunning(start({
      block: { numbers: ['+15559999999'], prefixes: ['+1900'], domains: ['spam.example'], vasps: ['bad-vasp'] },
      allow: { numbers: ['+15550000042'] },
      keywords: [{ pattern: 'casino', score: 20 }],
    }), async (t) => {
      const tries = [
        ['+15559999999', 'mm1', {}],
        ['+19001234567', 'mm1', {}],
        ['joe@mail.spam.example', 'mm3', {}],
        ['12345', 'mm7', { vaspId: 'bad-vasp' }],
      ] as const;
      for (const [from, iface, attributes] of tries) {
        const r = await t.mmsc.submit({ message: buildMessage({ from }), origin: { interface: iface, attributes } });
        assert.equal(r.status === 'rejected' && r.reason.code, 'service-denied', from);
      }
      const allowed = await t.mmsc.submit({ message: buildMessage({ from: '+15550000042', text: 'casino night' }), origin: { interface: 'mm1' } });
      assert.equal(allowed.status, 'accepted');
      const other = await t.mmsc.submit({ message: buildMessage({ from: '+15550000043', text: 'casino night' }), origin: { interface: 'mm1' } });
      assert.equal(other.status === 'rejected' && other.reason.code, 'spam');
    });
  });

  it('scores keywords and content types: tag, quarantine, reject', async () => {
    await whileRunning(start({
      keywords: [{ pattern: 'free', score: 3 }, { pattern: 'w[i1]n+er', regex: true, score: 4 }],
      contentTypes: [{ type: 'application/x-msdownload', score: 20 }, { type: 'application/vnd.*', score: 1 }],
      actions: { tag: 3, quarantine: 7, reject: 10 },
      maxRecipients: { default: 3 },
    }), async (t) => {
      const tagged = await t.mmsc.submit({ message: buildMessage({ text: 'free coffee' }), origin: { interface: 'mm1' } });
      assert.equal(tagged.status, 'accepted');
      const msg = await t.mmsc.getMessage(tagged.messageId);
      assert.equal(msg!.headers.extra?.['X-Spam-Flag'], 'YES');
      assert.equal(msg!.attributes['antispam.score'], 3);

      const held = await t.mmsc.submit({ message: buildMessage({ subject: 'W1NNER', text: 'free' }), origin: { interface: 'mm1' } });
      assert.equal(held.status, 'accepted', 'quarantine accepts (the sender learns nothing)');
      const [rec] = await t.mmsc.getRecipients(held.messageId);
      assert.equal(rec!.route?.target, QUARANTINE_TARGET);
      assert.equal((await t.mmsc.getMessage(held.messageId))!.attributes['antispam.quarantined'], true);
      const final = await waitFor('the quarantine deliverer to hold it back', async () => {
        const [x] = await t.mmsc.getRecipients(held.messageId);
        return x!.state === 'rejected' ? x : undefined;
      });
      assert.match(final!.history.at(-1)!.reason ?? '', /quarantine/);

      const exe = await t.mmsc.submit({
        message: buildMessage({ parts: [{ contentType: { type: 'application/x-msdownload', params: {} }, data: Buffer.from('MZ') }] }),
        origin: { interface: 'mm1' },
      });
      assert.equal(exe.status === 'rejected' && exe.reason.code, 'spam');

      const many = await t.mmsc.submit({ message: buildMessage({ to: ['+15550000002', '+15550000003', '+15550000004', '+15550000005'] }), origin: { interface: 'mm1' } });
      assert.equal(many.status === 'rejected' && many.reason.code, 'too-many-recipients');
    });
  });
});

describe('anti-spam in cluster mode (counters in Redis)', { skip: requireSystem('redis-server') }, () => {
  it('two MMSC nodes share one rate limit and one duplicate window', async () => {
    const redis = await startRedis();
    const options = {
      counters: { type: 'redis', url: redis.url, keyPrefix: `t${Date.now()}:` },
      rateLimits: [{ scope: 'sender', limit: 6, window: '1h' }],
      duplicates: { enabled: true, maxRecipients: 4, window: '10m' },
    };
    const a = await start(options);
    const b = await start(options);
    try {
      // Even-numbered messages go through b, odd-numbered through a.
      assert.deepEqual(await burst([b, a], 12, (i) => buildMessage({ from: '+15550000001', text: `m${i}` })), { accepted: 6, 'limit-exceeded': 6 });
      assert.deepEqual(await burst([b, a], 8, (i) => buildMessage({ from: `+1999000000${i}`, to: `+1555400000${i}`, text: 'same' })), { accepted: 4, spam: 4 });
    } finally {
      await a.stop();
      await b.stop();
      await redis.stop();
    }
  });
});

describe('anti-virus (ClamAV clamd, INSTREAM)', { skip: requireSystem('clamd') }, () => {
  let clamd: Clamd;
  before(async () => {
    clamd = await startClamd();
  });
  after(() => clamd?.stop());

  const infected = () => buildMessage({ text: 'see attachment', parts: [{ contentType: { type: 'application/octet-stream', params: {} }, contentLocation: 'eicar.com', data: EICAR }] });

  it('exports clamd as a link: up while it answers, down when it does not (the console lists it)', async () => {
    const up = await start({ antivirus: { enabled: true, port: clamd.port } });
    const down = await start({ antivirus: { enabled: true, port: 1, timeout: 500, onError: 'accept' } });
    try {
      const scrape = async (t: typeof up) => (await fetch(`${t.mmsc.adminUrl}/metrics`)).text();
      assert.match(await scrape(up), new RegExp(`openmmsc_link_up\\{kind="clamav",name="127\\.0\\.0\\.1:${clamd.port}"\\} 1`));
      assert.match(await scrape(down), /openmmsc_link_up\{kind="clamav",name="127\.0\.0\.1:1"\} 0/);
    } finally {
      await up.stop();
      await down.stop();
    }
  });

  it('rejects EICAR submitted over MM1 and MM7 with the virus reason; clean content passes', async () => {
    await whileRunning(start({ antivirus: { enabled: true, port: clamd.port } }), async (t) => {
      for (const iface of ['mm1', 'mm7']) {
        const r = await t.mmsc.submit({ message: infected(), origin: { interface: iface, attributes: iface === 'mm7' ? { vaspId: 'v1' } : {} } });
        assert.equal(r.status, 'rejected', iface);
        assert.equal(r.status === 'rejected' && r.reason.code, 'virus');
        assert.match(r.status === 'rejected' ? r.reason.message : '', /OpenMMSC\.Test\.EICAR/);
        assert.equal(await t.mmsc.getMessage(r.messageId), undefined);
      }
      const clean = await t.mmsc.submit({ message: buildMessage({ text: 'nothing to see' }), origin: { interface: 'mm1' } });
      assert.equal(clean.status, 'accepted');
      const ready = await fetch(`${t.mmsc.adminUrl}/ready`);
      assert.equal(ready.status, 200);
    });
  });

  it('scanner down: defer (fail-closed) or accept (fail-open), as configured', async () => {
    for (const [onError, status] of [['defer', 'deferred'], ['reject', 'rejected'], ['accept', 'accepted']] as const) {
      await whileRunning(start({ antivirus: { enabled: true, port: 1, timeout: 500, onError } }), async (t) => {
        const r = await t.mmsc.submit({ message: infected(), origin: { interface: 'mm1' } });
        assert.equal(r.status, status, onError);
      });
    }
  });
});
