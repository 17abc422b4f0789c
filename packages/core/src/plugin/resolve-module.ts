import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Resolves a plugin's package name from the config file's directory, the way `import` would from
 * there (Node 20 cannot resolve from an arbitrary parent without a flag). Honours custom export
 * conditions given to this process (`--conditions`), so a workspace can run plugins from source.
 */
export function resolveModule(specifier: string, fromDir: string): string {
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    const file = resolve(fromDir, specifier);
    if (!existsSync(file)) throw new Error(`cannot find ${file}`);
    return pathToFileURL(file).href;
  }
  const parts = specifier.split('/');
  const pkgName = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  const subpath = `.${specifier.slice(pkgName.length)}`;
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', pkgName);
    const pkgJson = join(pkgDir, 'package.json');
    if (existsSync(pkgJson)) {
      const manifest = JSON.parse(readFileSync(pkgJson, 'utf8')) as { exports?: unknown; main?: string };
      const target = manifest.exports !== undefined ? pickExport(manifest.exports, subpath) : subpath === '.' ? (manifest.main ?? 'index.js') : subpath;
      if (!target) throw new Error(`${pkgName} does not export ${subpath}`);
      return pathToFileURL(join(pkgDir, target)).href;
    }
    if (dirname(dir) === dir) break;
  }
  throw new Error(`cannot find package ${pkgName} from ${fromDir} (is it installed?)`);
}

function activeConditions(): string[] {
  const conditions: string[] = [];
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS?.split(/\s+/) ?? [])];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('--conditions=')) conditions.push(arg.slice('--conditions='.length));
    else if ((arg === '--conditions' || arg === '-C') && args[i + 1]) conditions.push(args[++i]!);
  }
  return [...conditions, 'import', 'node', 'default'];
}

function pickExport(exportsField: unknown, subpath: string): string | undefined {
  let entry: unknown = exportsField;
  if (typeof exportsField === 'object' && exportsField !== null && !Array.isArray(exportsField)) {
    const keys = Object.keys(exportsField);
    if (keys.some((k) => k.startsWith('.'))) entry = (exportsField as Record<string, unknown>)[subpath];
    else if (subpath !== '.') return undefined;
  } else if (subpath !== '.') return undefined;
  return pickCondition(entry, activeConditions());
}

function pickCondition(entry: unknown, conditions: string[]): string | undefined {
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry)) {
    for (const e of entry) {
      const found = pickCondition(e, conditions);
      if (found) return found;
    }
    return undefined;
  }
  if (entry && typeof entry === 'object') {
    for (const [cond, value] of Object.entries(entry)) {
      if (conditions.includes(cond)) {
        const found = pickCondition(value, conditions);
        if (found) return found;
      }
    }
  }
  return undefined;
}
