import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { scratchDir } from '@openmmsc/testkit';
import { ConfigError, loadConfig, maskSecrets, parseDuration, parseSize, resolveConfig } from '@openmmsc/core';

describe('config', () => {
  let dir: string;
  scratchDir('openmmsc-config-', (d) => (dir = d));

  it('fills defaults and resolves relative paths against the config file', async () => {
    const file = join(dir, 'a.yaml');
    await writeFile(file, 'store:\n  type: sqlite\n  path: data/x.sqlite\nexpiry:\n  max: 2d\n');
    const { kernel } = await loadConfig(file);
    assert.equal(kernel.store.type === 'sqlite' && kernel.store.path, join(dir, 'data/x.sqlite'));
    assert.equal(kernel.expiry.max, 2 * 86_400_000);
    assert.equal(kernel.expiry.default, 3 * 86_400_000);
    assert.equal(kernel.limits.maxMessageSize, 1024 * 1024);
    assert.equal(kernel.jobs.notify.maxAttempts, 8);
    assert.equal(kernel.admin.port, 9090);
  });

  it('reads JSON too, and substitutes ${env:NAME} with an optional default', async () => {
    const file = join(dir, 'b.json');
    process.env.OPENMMSC_TEST_REDIS = 'redis://127.0.0.1:6390';
    await writeFile(file, JSON.stringify({ store: { type: 'redis', url: '${env:OPENMMSC_TEST_REDIS}' }, admin: { port: '${env:NOPE_NOT_SET:-9191}' } }));
    const { kernel } = await loadConfig(file);
    assert.deepEqual(kernel.store, { type: 'redis', url: 'redis://127.0.0.1:6390', prefix: 'openmmsc', durability: 'always' });
    assert.equal(kernel.admin.port, 9191);
    await writeFile(file, JSON.stringify({ store: { type: 'redis', url: '${env:OPENMMSC_MISSING_VAR}' } }));
    await assert.rejects(loadConfig(file), /environment variable OPENMMSC_MISSING_VAR is not set/);
  });

  it('names the path and the problem for kernel errors', async () => {
    await assert.rejects(resolveConfig({ store: { type: 'mysql' }, limits: { maxMessageSize: 'huge' }, expiry: { max: 'soon' } }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const paths = error.problems.map((p) => p.path);
      assert.ok(paths.includes('store.type'), paths.join());
      assert.ok(error.problems.some((p) => p.path === 'limits.maxMessageSize' && /invalid size/.test(p.message)));
      assert.ok(error.problems.some((p) => p.path === 'expiry.max' && /invalid duration/.test(p.message)));
      return true;
    });
    await assert.rejects(resolveConfig({ store: { type: 'redis' } }), /store\.url: required/);
  });

  it('masks secrets', () => {
    assert.deepEqual(
      maskSecrets({ url: 'redis://user:hunter2@h:6379', vasps: [{ id: 'a', password: 'p', apiKey: 'k' }], note: 'password' }),
      { url: 'redis://user:***@h:6379', vasps: [{ id: 'a', password: '***', apiKey: '***' }], note: 'password' },
    );
  });

  it('parses durations and sizes', () => {
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration(250), 250);
    assert.equal(parseDuration('500ms'), 500);
    assert.throws(() => parseDuration('5 parsecs'));
    assert.equal(parseSize('300KB'), 307_200);
    assert.equal(parseSize('1MB'), 1_048_576);
  });
});
