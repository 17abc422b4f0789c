import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createMmsc, definePlugin, type KernelConfigInput, type Mmsc, type StatfsSource } from '@openmmsc/core';
import { buildMessage, recordingPushBearer, routeAllTo, testPlugin, waitFor } from '@openmmsc/testkit';

/** A node for one test; event-loop shedding is off unless the test sets it (a busy test machine lags too). */
async function node(config: KernelConfigInput, opts: { statfs?: StatfsSource; plugins?: Parameters<typeof createMmsc>[0]['plugins'] } = {}): Promise<{ mmsc: Mmsc; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'openmmsc-admission-'));
  const mmsc = await createMmsc({
    config: { store: { type: 'sqlite', path: join(dir, 'store.sqlite') }, admin: { host: '127.0.0.1', port: 0 }, log: { level: 'silent' }, shutdown: { retrievalGrace: 0 }, ...config, admission: { maxEventLoopDelay: 0, ...config.admission } },
    plugins: opts.plugins ?? [routeAllTo('local'), recordingPushBearer().plugin],
    ...(opts.statfs ? { statfs: opts.statfs } : {}),
  });
  return {
    mmsc,
    async stop() {
      await mmsc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const metric = async (mmsc: Mmsc, pattern: RegExp) => pattern.test(await mmsc.registry.metrics());

describe('free-disk watermark', () => {
  it('refuses new messages below the watermark (transient), keeps retrievals, and /ready says why', async () => {
    let free = 10 * 1024 * 1024 * 1024;
    const statfs: StatfsSource = async () => ({ bavail: Math.floor(free / 4096), bsize: 4096 });
    const n = await node({ admission: { minFreeDisk: '1GB', diskInterval: 50 } }, { statfs });
    try {
      const before = await n.mmsc.submit({ message: buildMessage({ text: 'stored while there was room' }), origin: { interface: 'api' } });
      assert.equal(before.status, 'accepted');
      free = 200 * 1024 * 1024;
      await waitFor('the watermark is seen', async () => (await fetch(`${n.mmsc.adminUrl}/ready`)).status === 503);
      const ready = (await (await fetch(`${n.mmsc.adminUrl}/ready`)).json()) as { checks: Record<string, string> };
      assert.match(ready.checks.disk!, /^200 MB free on .*, below the 1024 MB watermark/);

      const refused = await n.mmsc.submit({ message: buildMessage({ text: 'no room' }), origin: { interface: 'api' } });
      assert.equal(refused.status, 'deferred');
      assert.equal(refused.reason.code, 'network-problem');
      assert.match(refused.reason.message, /short of storage/);
      assert.ok(refused.status === 'deferred' && refused.retryAfterMs! > 0);
      // Retrievals go on.
      const parts = await n.mmsc.getParts(before.messageId);
      assert.equal(Buffer.from(parts![0]!.data).toString(), 'stored while there was room');
      assert.ok(await metric(n.mmsc, /openmmsc_shed_total\{interface="api",reason="disk-space"\} 1/));

      free = 5 * 1024 * 1024 * 1024;
      await waitFor('ready again', async () => (await fetch(`${n.mmsc.adminUrl}/ready`)).status === 200);
      assert.equal((await n.mmsc.submit({ message: buildMessage(), origin: { interface: 'api' } })).status, 'accepted');
    } finally {
      await n.stop();
    }
  });
});

describe('load shedding', () => {
  it('refuses new work while the event loop lags, and takes it again when it catches up', async () => {
    // Samples half a second apart: the state seen at the last one holds while the test looks.
    const n = await node({ admission: { maxEventLoopDelay: '150ms', sampleInterval: 500 } });
    try {
      // Block the loop 300 ms at a time, letting timers run in between, until the node notices.
      const refusing = async () => /openmmsc_admission_refusing\{reason="event-loop-delay"\} 1/.test(await n.mmsc.registry.metrics());
      const deadline = Date.now() + 8000;
      while (Date.now() < deadline) {
        const end = Date.now() + 300;
        while (Date.now() < end);
        await new Promise((r) => setTimeout(r, 1));
        if (await refusing()) break;
      }
      const load = (await (await fetch(`${n.mmsc.adminUrl}/ready`)).json()) as { abilities: Record<string, string> };
      assert.match(load.abilities.load!, /refusing new messages: the MMSC is overloaded \(event loop \d+ ms behind\)/);
      const shed = n.mmsc.admit('mm1');
      assert.equal(shed.ok, false);
      assert.ok(!shed.ok && shed.cause === 'event-loop-delay', JSON.stringify(shed));
      const result = await n.mmsc.submit({ message: buildMessage(), origin: { interface: 'api' } });
      assert.equal(result.status, 'deferred');
      assert.ok(await metric(n.mmsc, /openmmsc_shed_total\{interface="mm1",reason="event-loop-delay"\} 1/));
      await waitFor('the loop caught up', () => n.mmsc.admit('api').ok, { timeoutMs: 10_000 });
      assert.equal((await n.mmsc.submit({ message: buildMessage(), origin: { interface: 'api' } })).status, 'accepted');
    } finally {
      await n.stop();
    }
  });

  it('refuses beyond maxInFlight submissions at once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = definePlugin({ name: 'slow-receive', version: '0.0.0', apiVersion: '^1.0.0', setup: () => ({ receive: () => gate.then(() => undefined) }) });
    const n = await node({ admission: { maxInFlight: 2 } }, { plugins: [slow, routeAllTo('local'), recordingPushBearer().plugin] });
    try {
      const running = [1, 2].map((i) => n.mmsc.submit({ message: buildMessage({ text: `m${i}` }), origin: { interface: 'api' } }));
      await waitFor('two in flight', () => !n.mmsc.admit('api').ok);
      const third = await n.mmsc.submit({ message: buildMessage({ text: 'm3' }), origin: { interface: 'mm7' } });
      assert.equal(third.status, 'deferred');
      assert.match(third.reason.message, /busy \(2 messages in progress\)/);
      release();
      for (const r of await Promise.all(running)) assert.equal(r.status, 'accepted');
      assert.ok(await metric(n.mmsc, /openmmsc_shed_total\{interface="mm7",reason="in-flight"\} 1/));
    } finally {
      release();
      await n.stop();
    }
  });

  it('refuses new work while the queue backlog is deeper than maxQueueDepth', async () => {
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const deliverer = testPlugin('stuck-deliverer', (ctx) => {
      ctx.provide('Deliverer', { target: 'remote', deliver: async () => (await stuck, { status: 'delivered' as const }) });
    });
    const n = await node({ admission: { maxQueueDepth: 5, sampleInterval: 50 }, jobs: { deliver: { concurrency: 1 } } }, { plugins: [routeAllTo('remote'), deliverer] });
    try {
      // One delivery runs, the rest wait: past 5 waiting, the next sample starts refusing.
      let accepted = 0;
      for (let i = 0; i < 8; i++) if ((await n.mmsc.submit({ message: buildMessage({ text: `q${i}` }), origin: { interface: 'api' } })).status === 'accepted') accepted++;
      assert.ok(accepted >= 7, `${accepted} accepted before the backlog was seen`);
      await waitFor('the backlog is seen', () => !n.mmsc.admit('api').ok);
      const result = await n.mmsc.submit({ message: buildMessage(), origin: { interface: 'mm4' } });
      assert.equal(result.status, 'deferred');
      assert.match(result.reason.message, /overloaded \(\d+ jobs waiting\)/);
      release();
      await waitFor('the backlog drained', () => n.mmsc.admit('api').ok);
    } finally {
      release();
      await n.stop();
    }
  });
});
