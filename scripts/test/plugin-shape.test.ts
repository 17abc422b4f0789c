// Every plugin package has the same shape: `src/index.ts` default-exports the definition,
// `src/options.ts` holds its zod schema, and the name and version the kernel sees are the ones in
// the package's package.json (read through `pluginIdentity`, never written by hand).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isPluginDefinition } from '@openmmsc/core';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pluginDirs = [
  ...readdirSync(join(root, 'plugins')).map((d) => join('plugins', d)),
  // The example a plugin author copies is held to the same shape.
  ...readdirSync(join(root, 'examples')).filter((d) => d.startsWith('plugin-')).map((d) => join('examples', d)),
].filter((dir) => existsSync(join(root, dir, 'package.json')));

describe('every plugin package has the same shape', () => {
  it('finds the plugins', () => {
    assert.ok(pluginDirs.length >= 17, `only ${pluginDirs.length} plugin packages found`);
  });

  for (const dir of pluginDirs) {
    it(`${dir}: src/index.ts and src/options.ts; name and version from package.json`, async () => {
      const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { name: string; version: string; openmmsc?: { apiVersion?: string } };
      const indexPath = join(root, dir, 'src/index.ts');
      const optionsPath = join(root, dir, 'src/options.ts');
      assert.ok(existsSync(indexPath), `${dir} has no src/index.ts`);
      assert.ok(existsSync(optionsPath), `${dir} has no src/options.ts`);

      const index = (await import(pathToFileURL(indexPath).href)) as { default: unknown };
      const definition = index.default;
      assert.ok(isPluginDefinition(definition), `${dir}/src/index.ts does not default-export a plugin definition`);
      assert.equal(definition.name, manifest.name);
      assert.equal(definition.version, manifest.version);
      // Equal today is not enough: a literal would pass until the next release bumps package.json.
      assert.match(readFileSync(indexPath, 'utf8'), /plugin(Identity|Manifest)\(import\.meta\.url\)/, `${dir} must take its name and version from pluginManifest (or pluginIdentity)(import.meta.url)`);
      // A package that declares its plugin API range is held to it.
      if (manifest.openmmsc?.apiVersion !== undefined) assert.equal(definition.apiVersion, manifest.openmmsc.apiVersion);

      const options = (await import(pathToFileURL(optionsPath).href)) as Record<string, unknown>;
      assert.ok(definition.configSchema, `${dir} has no configSchema`);
      assert.ok(Object.values(options).includes(definition.configSchema), `${dir}: the configSchema is not the one src/options.ts exports`);
    });
  }
});
