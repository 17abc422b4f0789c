// Renders a zod options schema as a Markdown table (path, type, default, description) and keeps
// the tables in package READMEs up to date between `<!-- config:start -->` and `<!-- config:end -->`.
// Run: node --import tsx --conditions=@openmmsc/source scripts/config-docs.ts [--check]
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { updateMarked } from './doc-markers.js';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  required?: string[];
};

export function optionsTable(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const rows: string[] = ['| option | type | default | description |', '| --- | --- | --- | --- |'];
  walk(json, '', rows, new Set(json.required ?? []), true);
  return rows.join('\n');
}

function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((e) => `\`${JSON.stringify(e)}\``).join(' \\| ');
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return alts.map(typeOf).join(' \\| ');
  if (s.type === 'array') return `${s.items ? typeOf(s.items) : 'any'}[]`;
  if (Array.isArray(s.type)) return s.type.join(' \\| ');
  return s.type ?? 'any';
}

function walk(s: JsonSchema, path: string, rows: string[], required: Set<string>, top: boolean): void {
  const alts = s.anyOf ?? s.oneOf;
  if (alts && alts.every((a) => a.properties)) {
    // A discriminated union: list each variant's fields under the same path.
    for (const alt of alts) walk(alt, path, rows, new Set(alt.required ?? []), top);
    return;
  }
  if (s.properties) {
    for (const [key, child] of Object.entries(s.properties)) {
      const p = path ? `${path}.${key}` : key;
      const req = new Set(child.required ?? []);
      const dflt = child.default !== undefined ? `\`${JSON.stringify(child.default)}\`` : required.has(key) ? '*required*' : '';
      rows.push(`| \`${p}\` | ${typeOf(child)} | ${dflt} | ${(child.description ?? '').replace(/\|/g, '\\|')} |`);
      if (child.properties) walk(child, p, rows, req, false);
      else if (child.type === 'array' && child.items?.properties) walk(child.items, `${p}[]`, rows, new Set(child.items.required ?? []), false);
      else if ((child.anyOf ?? child.oneOf)?.every((a) => a.properties)) walk(child, p, rows, req, false);
    }
  }
  void top;
}

const root = fileURLToPath(new URL('..', import.meta.url));

async function schemasToDocument(): Promise<Array<[string, z.ZodType]>> {
  const core = await import('@openmmsc/core');
  const list: Array<[string, z.ZodType]> = [['packages/core/README.md', core.kernelConfigSchema.omit({ plugins: true })], ['docs/configuration.md', core.kernelConfigSchema.omit({ plugins: true })]];
  for (const dir of ['router-prefix', 'charge-cdr-file', 'transcode-passthrough', 'push-log', 'mm1', 'mm7', 'mm11', 'mm8', 'mm9', 'antispam', 'push-smpp', 'push-pap', 'mm3', 'mm4', 'mm5', 'eaif', 'console']) {
    const mod = (await import(`@openmmsc/plugin-${dir}`)) as { default: { configSchema?: z.ZodType } };
    if (mod.default.configSchema) list.push([`plugins/${dir}/README.md`, mod.default.configSchema]);
  }
  return list;
}

export async function updateReadmes(check: boolean): Promise<string[]> {
  const stale: string[] = [];
  for (const [file, schema] of await schemasToDocument()) {
    if (updateMarked(join(root, file), 'config', optionsTable(schema), check)) stale.push(file);
  }
  return stale;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  const stale = await updateReadmes(check);
  if (check && stale.length) {
    console.error(`config tables out of date in: ${stale.join(', ')} (run pnpm docs:config)`);
    process.exit(1);
  }
  console.log(stale.length ? `updated ${stale.join(', ')}` : 'config tables up to date');
}
