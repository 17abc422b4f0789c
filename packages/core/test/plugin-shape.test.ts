import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, definePlugin, resolveConfig, type PluginDefinition } from '@openmmsc/core';
import { startTestMmsc } from '@openmmsc/testkit';

describe('plugin shape: misspelt hooks and definition properties are load errors', () => {
  it('an unknown hook name names the plugin, the hook and the nearest valid one', async () => {
    const misspelt = definePlugin({
      name: 'misspelt-hooks',
      version: '1.0.0',
      apiVersion: '^1.0.0',
      // What a plugin written in plain JavaScript (no type checking) would return.
      setup: () => ({ recieve: () => undefined, route: () => undefined }) as never,
    });
    await assert.rejects(startTestMmsc({ plugins: [misspelt] }), (error: Error) => {
      assert.equal(error.message, 'plugin misspelt-hooks: unknown hook "recieve"; did you mean "receive"?');
      return true;
    });
  });

  it('a hook that is not a function is refused, and an unknown name far from any hook lists the hooks', async () => {
    const odd = definePlugin({ name: 'odd-hooks', version: '1.0.0', apiVersion: '^1.0.0', setup: () => ({ notify: 'yes', onMessage: () => undefined }) as never });
    await assert.rejects(startTestMmsc({ plugins: [odd] }), (error: Error) => {
      assert.match(error.message, /^plugin odd-hooks: /);
      assert.match(error.message, /hook "notify" is a string, not a function/);
      assert.match(error.message, /unknown hook "onMessage"; expected one of: receive, route, transcode, charge, store, notify, deliver, start, stop, close, ready/);
      return true;
    });
  });

  it('every documented hook name is accepted', async () => {
    const all = definePlugin({
      name: 'all-hooks',
      version: '1.0.0',
      apiVersion: '^1.0.0',
      setup: () => ({
        receive: () => undefined,
        route: () => undefined,
        transcode: () => undefined,
        charge: () => undefined,
        store: () => undefined,
        notify: () => undefined,
        deliver: () => undefined,
        start: () => undefined,
        stop: () => undefined,
        close: () => undefined,
        ready: () => true,
      }),
    });
    const t = await startTestMmsc({ plugins: [all] });
    assert.deepEqual(t.mmsc.pluginNames, ['all-hooks']);
    await t.stop();
  });

  it('a misspelt property of the definition (options would go unvalidated) is a config error', async () => {
    const definition = { name: 'misspelt-definition', version: '1.0.0', apiVersion: '^1.0.0', configschema: {}, setup: () => undefined } as unknown as PluginDefinition;
    await assert.rejects(resolveConfig({}, { plugins: [definition] }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems, [
        { path: 'plugins[0] (misspelt-definition)', message: 'plugin definition has an unknown property "configschema"; did you mean "configSchema"?' },
      ]);
      return true;
    });
  });
});
