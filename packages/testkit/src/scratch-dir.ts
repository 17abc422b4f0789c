import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

/**
 * A temporary directory for the tests of the enclosing `describe`: made before them (and handed to
 * `use`, which keeps it: `let dir: string; scratchDir('openmmsc-x-', (d) => (dir = d));`), removed
 * with everything in it after them.
 */
export function scratchDir(prefix: string, use: (dir: string) => void): void {
  let dir: string | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    use(dir);
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
}
