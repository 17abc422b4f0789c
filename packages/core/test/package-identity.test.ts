import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { pluginIdentity, pluginManifest } from '@openmmsc/core';

describe('pluginIdentity: name and version from the nearest package.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openmmsc-identity-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the package.json above a module in src/ or dist/', () => {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@acme/plugin-x', version: '3.2.1-beta.4' }));
    mkdirSync(join(dir, 'dist/nested'), { recursive: true });
    assert.deepEqual(pluginIdentity(pathToFileURL(join(dir, 'src/index.ts'))), { name: '@acme/plugin-x', version: '3.2.1-beta.4' });
    assert.deepEqual(pluginIdentity(pathToFileURL(join(dir, 'dist/nested/index.js')).href), { name: '@acme/plugin-x', version: '3.2.1-beta.4' });
  });

  it('the nearest package.json wins', () => {
    mkdirSync(join(dir, 'inner/src'), { recursive: true });
    writeFileSync(join(dir, 'inner/package.json'), JSON.stringify({ name: 'inner', version: '0.0.7' }));
    assert.deepEqual(pluginIdentity(pathToFileURL(join(dir, 'inner/src/index.ts'))), { name: 'inner', version: '0.0.7' });
  });

  it('a package.json without a version, or not JSON, is an error naming the file', () => {
    mkdirSync(join(dir, 'noversion/src'), { recursive: true });
    writeFileSync(join(dir, 'noversion/package.json'), JSON.stringify({ name: 'noversion' }));
    assert.throws(() => pluginIdentity(pathToFileURL(join(dir, 'noversion/src/index.ts'))), /noversion\/package\.json has no string "name" and "version"/);
    mkdirSync(join(dir, 'broken/src'), { recursive: true });
    writeFileSync(join(dir, 'broken/package.json'), '{ "name": ');
    assert.throws(() => pluginIdentity(pathToFileURL(join(dir, 'broken/src/index.ts'))), /broken\/package\.json is not valid JSON/);
  });

  it('pluginManifest adds the plugin API range the package declares, and names the file without one', () => {
    mkdirSync(join(dir, 'manifest/src'), { recursive: true });
    writeFileSync(join(dir, 'manifest/package.json'), JSON.stringify({ name: '@acme/plugin-y', version: '1.0.0', openmmsc: { apiVersion: '^1.2.0' } }));
    assert.deepEqual(pluginManifest(pathToFileURL(join(dir, 'manifest/src/index.ts'))), { name: '@acme/plugin-y', version: '1.0.0', apiVersion: '^1.2.0' });
    mkdirSync(join(dir, 'norange/src'), { recursive: true });
    writeFileSync(join(dir, 'norange/package.json'), JSON.stringify({ name: 'norange', version: '1.0.0' }));
    assert.throws(() => pluginManifest(pathToFileURL(join(dir, 'norange/src/index.ts'))), /norange\/package\.json has no string "openmmsc": \{ "apiVersion": … \}/);
  });
});
