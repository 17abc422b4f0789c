// Keeps the pipeline's stage table in the docs equal to `PIPELINE` in @openmmsc/core, between
// `<!-- stages:start -->` and `<!-- stages:end -->`.
// Run: node --import tsx --conditions=@openmmsc/source scripts/stage-table.ts [--check]
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatStageTable } from '@openmmsc/core';
import { updateMarked } from './doc-markers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const DOCS = ['docs/architecture.md', 'docs/plugins.md'];

export function updateStageTables(check: boolean): string[] {
  const stale: string[] = [];
  for (const file of DOCS) {
    if (updateMarked(join(root, file), 'stages', formatStageTable(), check)) stale.push(file);
  }
  return stale;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  const stale = updateStageTables(check);
  if (check && stale.length) {
    console.error(`stage tables out of date in: ${stale.join(', ')} (run scripts/stage-table.ts)`);
    process.exit(1);
  }
  console.log(stale.length ? `updated ${stale.join(', ')}` : 'stage tables up to date');
}
