import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { verifyPassword } from '../src/auth/password.js';

const cli = fileURLToPath(new URL('../src/hash-cli.ts', import.meta.url));
const run = (input: string) => spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@openmmsc/source', cli], { input, encoding: 'utf8', timeout: 60_000 });

describe('openmmsc-console-password', () => {
  it('reads the password from stdin and prints a hash the console accepts', async () => {
    const r = run('a long passphrase\n');
    assert.equal(r.status, 0, r.stderr);
    const hash = r.stdout.trim();
    assert.match(hash, /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.equal(await verifyPassword('a long passphrase', hash), true);
    assert.doesNotMatch(hash, /passphrase/);
  });

  it('refuses a short password with a clear message and a non-zero exit', () => {
    const r = run('short\n');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /at least 8 characters/);
  });
});
