import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ConfigError, createMmsc, definePlugin, resolveConfig } from '@openmmsc/core';
import { buildMessage, recordingPushBearer, routeAllTo, startTestMmsc, testPlugin, waitFor } from '@openmmsc/testkit';
import { readableLogger } from './helpers/log-lines.js';

describe('plugins', () => {
  it('a throwing handler defers that message, is logged with the plugin name, and the MMSC keeps working', async () => {
    const { logger, lines } = readableLogger('info');
    let throwNext = true;
    const explosive = definePlugin({
      name: 'explosive',
      version: '1.0.0',
      apiVersion: '^1.0.0',
      setup: () => ({
        transcode: () => {
          if (throwNext) {
            throwNext = false;
            throw new Error('kaboom');
          }
        },
      }),
    });
    const push = recordingPushBearer();
    const t = await startTestMmsc({ plugins: [routeAllTo('local'), explosive, push.plugin] });
    // A logger we can read, on a second MMSC sharing nothing with the first.
    const logged = await createMmsc({
      config: { store: { type: 'sqlite', path: `${t.dir}/second.sqlite` }, admin: { enabled: false } },
      plugins: [routeAllTo('local'), definePlugin({ ...explosive, name: 'explosive-2', setup: () => ({ receive: () => { throw new Error('kaboom'); } }) })],
      logger,
    });
    try {
      const first = await t.mmsc.submit({ message: buildMessage(), origin: { interface: 'api' } });
      assert.equal(first.status, 'deferred');
      assert.equal(first.status === 'deferred' && first.reason.code, 'internal-error');
      assert.match(first.status === 'deferred' ? first.reason.message : '', /explosive/);
      assert.equal(await t.mmsc.getMessage(first.messageId), undefined);

      const second = await t.mmsc.submit({ message: buildMessage(), origin: { interface: 'api' } });
      assert.equal(second.status, 'accepted');
      await waitFor('push', () => push.pushes.length === 1);
      const metrics = await t.mmsc.registry.getSingleMetricAsString('openmmsc_handler_errors_total');
      assert.match(metrics, /openmmsc_handler_errors_total\{plugin="explosive",stage="transcode"\} 1/);

      await logged.submit({ message: buildMessage(), origin: { interface: 'api' } });
      const entry = lines.find((l) => l.plugin === 'explosive-2');
      assert.ok(entry, 'error logged with the plugin name');
      assert.equal(entry.stage, 'receive');
      assert.equal((entry.err as { message: string }).message, 'kaboom');
    } finally {
      await logged.stop();
      await t.stop();
    }
  });

  it('validates plugin options with the plugin schema and names the path', async () => {
    const mm7ish = definePlugin({
      name: '@example/plugin-mm7ish',
      version: '1.0.0',
      apiVersion: '^1.0.0',
      configSchema: z.object({
        vasps: z.array(z.object({ id: z.string(), password: z.string() })),
        port: z.number().int().default(8080),
      }),
      setup: () => {},
    });
    await assert.rejects(
      resolveConfig({}, { plugins: [{ plugin: mm7ish, options: { vasps: [{ id: 'a' }], port: 'x' } }] }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /plugins\[0\] \(@example\/plugin-mm7ish\)\.vasps\[0\]\.password: required/);
        assert.match(error.message, /plugins\[0\] \(@example\/plugin-mm7ish\)\.port: /);
        return true;
      },
    );
    const ok = await resolveConfig({}, { plugins: [{ plugin: mm7ish, options: { vasps: [{ id: 'a', password: 's' }] } }] });
    assert.deepEqual(ok.plugins[0]!.options, { vasps: [{ id: 'a', password: 's' }], port: 8080 });
  });

  it('refuses a plugin written for another API version, saying so', async () => {
    const future = definePlugin({ name: '@example/plugin-future', version: '3.0.0', apiVersion: '^2.0.0', setup: () => {} });
    await assert.rejects(resolveConfig({}, { plugins: [future] }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /@example\/plugin-future requires OpenMMSC plugin API \^2\.0\.0, but this kernel implements 1\.\d+\.\d+/);
      return true;
    });
  });

  it('reports a plugin package that cannot be found', async () => {
    await assert.rejects(resolveConfig({ plugins: ['@openmmsc/plugin-does-not-exist'] }), /plugins\[0\] \(@openmmsc\/plugin-does-not-exist\): cannot find package/);
  });

  it('loads plugins by package name from config', async () => {
    const resolved = await resolveConfig(
      { plugins: ['@openmmsc/plugin-push-log', { name: '@openmmsc/plugin-router-prefix', options: { routes: [{ prefix: '+1', target: 'local' }] } }] },
      { baseDir: new URL('../../../examples/basic/', import.meta.url).pathname },
    );
    assert.deepEqual(resolved.plugins.map((p) => p.definition.name), ['@openmmsc/plugin-push-log', '@openmmsc/plugin-router-prefix']);
  });

  it('makes the operator choose when several plugins provide the same single service, and uses the choice', async () => {
    const a = recordingPushBearer('push-a');
    const b = recordingPushBearer('push-b');
    await assert.rejects(startTestMmsc({ plugins: [routeAllTo('local'), a.plugin, b.plugin] }), /several plugins provide a PushBearer \(push-a, push-b\); choose one with services\.pushBearer/);
    const t = await startTestMmsc({ plugins: [routeAllTo('local'), a.plugin, b.plugin], config: { services: { pushBearer: 'push-b' } } });
    try {
      await t.mmsc.submit({ message: buildMessage(), origin: { interface: 'api' } });
      await waitFor('push via b', () => b.pushes.length === 1);
      assert.equal(a.pushes.length, 0);
    } finally {
      await t.stop();
    }
  });

  it('gives plugins a private durable key/value space', async () => {
    let kvValue: unknown;
    const stateful = definePlugin({
      name: 'stateful',
      version: '0.0.0',
      apiVersion: '^1.0.0',
      async setup(ctx) {
        await ctx.kv.set('greeting', { hello: 'world' });
        kvValue = await ctx.kv.get('greeting');
      },
    });
    const t = await startTestMmsc({ plugins: [stateful] });
    await t.stop();
    assert.deepEqual(kvValue, { hello: 'world' });
  });
});
