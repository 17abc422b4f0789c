import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  contentType,
  createMmsc,
  definePlugin,
  Services,
  serviceToken,
  type Mmsc,
  type MmsMessage,
  type PluginInput,
  type PushRequest,
} from '@openmmsc/core';
import { routeAllTo, testPlugin } from '@openmmsc/testkit';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openmmsc-services-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
function start(plugins: readonly PluginInput[], services: { pushBearer?: string } = {}): Promise<Mmsc> {
  return createMmsc({
    config: { store: { type: 'sqlite', path: join(dir, `store-${++n}.sqlite`) }, admin: { enabled: false }, log: { level: 'silent' }, services },
    plugins,
  });
}

function message(mmsc: Mmsc, text = 'hello'): MmsMessage {
  return {
    headers: { from: mmsc.parseAddress('+15550000001'), to: [mmsc.parseAddress('+15550000002')], cc: [], bcc: [], contentType: contentType('application/vnd.wap.multipart.related') },
    parts: [{ contentType: contentType('text/plain', { charset: 'utf-8' }), data: Buffer.from(text) }],
  };
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(check(), `timed out waiting for ${what}`);
}

/** A push bearer plugin that records what it carries. */
function bearer(name: string) {
  const pushes: PushRequest[] = [];
  const plugin = definePlugin({
    name,
    version: '0.0.0',
    apiVersion: '^1.0.0',
    setup(ctx) {
      ctx.provide(Services.PushBearer, { name, push: async (request) => (pushes.push(request), { status: 'sent' as const }) });
    },
  });
  return { plugin, pushes };
}

describe('services resolved through the container', () => {
  it('a plugin swaps the push bearer by binding Services.PushBearer; config picks it, and notifications go through it', async () => {
    const standard = bearer('standard-bearer');
    const gateway = bearer('sms-gateway');
    const mmsc = await start([routeAllTo('local'), standard.plugin, gateway.plugin], { pushBearer: 'sms-gateway' });
    try {
      const result = await mmsc.submit({ message: message(mmsc), origin: { interface: 'api' } });
      assert.equal(result.status, 'accepted');
      await until('the push', () => gateway.pushes.length === 1);
      assert.equal(gateway.pushes[0]!.to.value, '+15550000002');
      assert.equal(standard.pushes.length, 0);
    } finally {
      await mmsc.stop();
    }
  });

  it('a plugin swaps charging by binding Services.ChargingBackend: its refusal is the submission answer', async () => {
    const broke = testPlugin('prepaid', (ctx) => {
      ctx.provide(Services.ChargingBackend, {
        name: 'prepaid',
        authorize: async () => ({ kind: 'reject', reason: { code: 'insufficient-credit', message: 'balance is 0' } }),
      });
    });
    const push = bearer('push');
    const mmsc = await start([routeAllTo('local'), broke, push.plugin]);
    try {
      const result = await mmsc.submit({ message: message(mmsc), origin: { interface: 'api' } });
      assert.equal(result.status, 'rejected');
      assert.equal(result.status === 'rejected' && result.reason.code, 'insufficient-credit');
      assert.equal(await mmsc.getMessage(result.messageId), undefined);
    } finally {
      await mmsc.stop();
    }
  });

  it("one plugin resolves another's service by its own token, from hooks; asking in setup is refused", async () => {
    const Banned = serviceToken<{ has(word: string): boolean }>('test/banned-words');
    const provider = testPlugin('word-list', (ctx) => {
      ctx.provide(Banned, { has: (word) => word === 'spam' });
    });
    let inSetup: unknown;
    const consumer = testPlugin('word-filter', (ctx) => {
      try {
        ctx.services.get(Banned);
      } catch (error) {
        inSetup = error;
      }
      return {
        receive(m) {
          const text = m.message.parts.map((p) => Buffer.from(p.data).toString()).join(' ');
          const list = ctx.services.get(Banned);
          if (text.split(/\s+/).some((w) => list.has(w))) return { kind: 'reject', reason: { code: 'content-not-accepted', message: 'banned word' } };
        },
      };
    });
    const push = bearer('push');
    const mmsc = await start([routeAllTo('local'), provider, consumer, push.plugin]);
    try {
      assert.match(String(inSetup), /test\/banned-words is provided by plugins and resolves once every plugin is set up/);
      const refused = await mmsc.submit({ message: message(mmsc, 'buy spam now'), origin: { interface: 'api' } });
      assert.equal(refused.status, 'rejected');
      const passed = await mmsc.submit({ message: message(mmsc, 'lunch at noon'), origin: { interface: 'api' } });
      assert.equal(passed.status, 'accepted');
    } finally {
      await mmsc.stop();
    }
  });

  it('the kernel services a plugin resolves in setup are the ones the kernel runs on', async () => {
    const seen: Record<string, unknown> = {};
    const probe = testPlugin('probe', (ctx) => {
      seen.store = ctx.services.get(Services.MessageStore);
      seen.queue = ctx.services.get(Services.JobQueue);
      seen.metrics = ctx.services.get(Services.Metrics);
      seen.clock = ctx.services.get(Services.Clock);
    });
    const mmsc = await start([probe]);
    try {
      assert.equal(seen.store, mmsc.store);
      assert.equal(seen.queue, mmsc.queue);
      assert.equal(seen.metrics, mmsc.registry);
      assert.equal(seen.clock, mmsc.clock);
    } finally {
      await mmsc.stop();
    }
  });

  it("a plugin cannot bind over the kernel's own services", async () => {
    const usurper = testPlugin('usurper', (ctx) => {
      ctx.provide(Services.MessageStore, {} as never);
    });
    await assert.rejects(start([usurper]), /usurper: MessageStore is the kernel's own service; plugins cannot provide it/);
  });
});
