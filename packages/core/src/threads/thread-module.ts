import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The module `name` beside the one at `importMetaUrl`, in the same form: `.ts` in a source
 * checkout run through tsx, `.js` once built. What a ThreadPool is started with.
 */
export function siblingModule(importMetaUrl: string, name: string): URL {
  return new URL(`./${name}${extname(fileURLToPath(importMetaUrl))}`, importMetaUrl);
}
