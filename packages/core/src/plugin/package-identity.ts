import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A package's `name` and `version`, as its package.json states them. */
export interface PackageIdentity {
  readonly name: string;
  readonly version: string;
}

/**
 * The name and version of the package a module belongs to, read from the nearest package.json
 * above it. A plugin spreads it into its definition (`...pluginIdentity(import.meta.url)`), so the
 * name and version the kernel logs and checks are the ones that were published, whether the module
 * runs from `src/` (tests) or `dist/`.
 */
export function pluginIdentity(moduleUrl: string | URL): PackageIdentity {
  const { name, version } = nearestManifest(moduleUrl).identity;
  return { name, version };
}

/** A plugin package's identity and the plugin API range it was written for. */
export interface PluginManifest extends PackageIdentity {
  readonly apiVersion: string;
}

/**
 * `pluginIdentity` and the plugin API range the package declares in its package.json
 * (`"openmmsc": { "apiVersion": "^1.0.0" }`), so that all three are package metadata, readable
 * without loading the code: `...pluginManifest(import.meta.url)` in the definition.
 */
export function pluginManifest(moduleUrl: string | URL): PluginManifest {
  const { path, manifest, identity } = nearestManifest(moduleUrl);
  const section = manifest.openmmsc as Record<string, unknown> | undefined;
  const apiVersion = section?.apiVersion;
  if (typeof apiVersion !== 'string') throw new Error(`${path} has no string "openmmsc": { "apiVersion": … }`);
  return { ...identity, apiVersion };
}

function nearestManifest(moduleUrl: string | URL): { path: string; manifest: Record<string, unknown>; identity: PackageIdentity } {
  const start = dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    const found = readManifest(path);
    if (found) {
      const { name, version } = found;
      if (typeof name !== 'string' || typeof version !== 'string') throw new Error(`${path} has no string "name" and "version"`);
      return { path, manifest: found, identity: { name, version } };
    }
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

function readManifest(path: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}
