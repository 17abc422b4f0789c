// Fills the per-resolver option tables in README.md between `<!-- resolvers:start -->` and
// `<!-- resolvers:end -->` (the workspace's config-docs does not descend into arrays of unions).
// Run from the workspace root: node --import tsx --conditions=@openmmsc/source plugins/mm5/scripts/resolver-docs.ts [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { optionsTable } from '../../../scripts/config-docs.js';
import { resolverSchema } from '../src/options.js';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const sections = (resolverSchema as unknown as { options: z.ZodObject[] }).options.map((variant) => {
  const type = (variant.shape.type as z.ZodLiteral<string>).value;
  return `### \`type: ${type}\`\n\n${variant.shape.type.description ?? ''}\n\n${optionsTable(variant.omit({ type: true }))}`;
});
const text = readFileSync(readme, 'utf8');
const start = text.indexOf('<!-- resolvers:start -->');
const end = text.indexOf('<!-- resolvers:end -->');
if (start < 0 || end < 0) throw new Error('README.md lacks the resolvers markers');
const next = `${text.slice(0, start)}<!-- resolvers:start -->\n${sections.join('\n\n')}\n${text.slice(end)}`;
if (process.argv.includes('--check')) {
  if (next !== text) {
    console.error('plugins/mm5/README.md resolver tables are out of date');
    process.exit(1);
  }
} else writeFileSync(readme, next);
