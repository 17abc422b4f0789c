import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createMmsc, definePlugin } from '@openmmsc/core';
import { testPlugin } from '@openmmsc/testkit';

describe('ctx.expose / mmsc.plugin', () => {
  it('each MMSC returns what its own plugin exposed, live, and nothing for a plugin that exposed nothing or is absent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-expose-'));
    const counter = testPlugin('counter', (ctx) => {
      let port: number | undefined;
      let started = 0;
      ctx.expose({ get port() { return port; }, started: () => started });
      return {
        start() {
          started++;
          port = (ctx.options as { port: number }).port;
        },
        stop() {
          port = undefined;
        },
      };
    });
    const silent = definePlugin({ name: 'silent', version: '0.0.0', apiVersion: '^1.0.0', setup: () => ({}) });
    const make = (name: string, port: number) =>
      createMmsc({
        config: { store: { type: 'sqlite', path: join(dir, `${name}.sqlite`) }, admin: { enabled: false }, log: { level: 'silent' } },
        plugins: [{ plugin: definePlugin({ ...counter, configSchema: undefined }), options: { port } }, silent],
      });
    const a = await make('a', 1111);
    const b = await make('b', 2222);
    try {
      type Exposed = { port: number | undefined; started(): number };
      assert.equal((a.plugin('counter') as Exposed).port, 1111);
      assert.equal((b.plugin('counter') as Exposed).port, 2222);
      assert.equal((a.plugin('counter') as Exposed).started(), 1);
      assert.equal(a.plugin('silent'), undefined);
      assert.equal(a.plugin('nobody'), undefined);
      await a.stop();
      assert.equal((a.plugin('counter') as Exposed).port, undefined, 'the exposed state follows the plugin');
      assert.equal((b.plugin('counter') as Exposed).port, 2222);
    } finally {
      await a.stop();
      await b.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
