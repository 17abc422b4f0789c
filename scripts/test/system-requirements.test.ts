/**
 * The skip mechanism for tests that need system components: a missing component skips its tests
 * with one summary line (what, and the install command) and a passing run; with
 * OPENMMSC_REQUIRE_ALL=1 the same run fails. Components are made "missing" either with
 * OPENMMSC_SYSTEM_MISSING or with a PATH that does not hold them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/needs-system.fixture.ts', import.meta.url));

/** This process's environment without the switches under test (nor node:test's own marker), plus `env`. */
function environment(env: Record<string, string>): NodeJS.ProcessEnv {
  const out = { ...process.env };
  for (const k of ['OPENMMSC_REQUIRE_ALL', 'OPENMMSC_SYSTEM_MISSING', 'OPENMMSC_SYSTEM_SKIPS', 'CI', 'NODE_TEST_CONTEXT']) delete out[k];
  return { ...out, ...env };
}

function runner(env: Record<string, string>) {
  return spawnSync(process.execPath, [join(root, 'scripts', 'run-tests.mjs'), fixture], { cwd: root, encoding: 'utf8', env: environment(env), timeout: 120_000 });
}

/** requireSystem(...names) evaluated in a fresh process (its lookups are cached per process). */
function requireSystemIn(env: Record<string, string>, ...names: string[]) {
  const code = `import('@openmmsc/testkit/system').then((m) => console.log(JSON.stringify(m.requireSystem(...${JSON.stringify(names)}) ?? null)))`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@openmmsc/source', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', env: environment(env) });
}

const SUMMARY = [
  '  skipped 1 test (1 file): redis-server not installed (OPENMMSC_SYSTEM_MISSING) — apt-get install redis-server',
  '  skipped 1 test (1 file): swaks not installed (OPENMMSC_SYSTEM_MISSING) — apt-get install swaks',
  '  skipped 1 suite and 1 test (1 file): tshark not installed (OPENMMSC_SYSTEM_MISSING) — apt-get install tshark',
];

describe('system components: skipped with a summary, or a failure in CI', () => {
  it('missing components skip their tests, one summary line each, and the run passes', () => {
    const r = runner({ OPENMMSC_SYSTEM_MISSING: 'tshark,redis-server,swaks' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const lines = r.stdout.split('\n');
    const at = lines.indexOf('System components missing here; the tests that need them were skipped:');
    assert.ok(at >= 0, r.stdout);
    assert.deepEqual(lines.slice(at + 1, at + 4), SUMMARY);
    assert.match(r.stdout, /^ok \d+ - a test that needs nothing$/m);
    assert.match(r.stdout, /^# pass 1$/m);
  });

  it('with OPENMMSC_REQUIRE_ALL=1 the same run fails and says why', () => {
    const r = runner({ OPENMMSC_SYSTEM_MISSING: 'tshark,redis-server,swaks', OPENMMSC_REQUIRE_ALL: '1' });
    assert.notEqual(r.status, 0);
    for (const line of SUMMARY) assert.ok(r.stdout.includes(line), r.stdout);
    assert.match(r.stderr, /OPENMMSC_REQUIRE_ALL=1: 3 system components are missing, so this run fails/);
  });

  it('nothing missing: no summary, and OPENMMSC_REQUIRE_ALL=1 passes', () => {
    // A PATH whose tshark, redis-server and swaks are stand-ins: found, so nothing is skipped.
    const bin = mkdtempSync(join(tmpdir(), 'openmmsc-fake-bin-'));
    after(() => rmSync(bin, { recursive: true, force: true }));
    for (const name of ['tshark', 'dumpcap', 'redis-server', 'swaks']) {
      writeFileSync(join(bin, name), '#!/bin/sh\nexit 0\n');
      chmodSync(join(bin, name), 0o755);
    }
    const r = runner({ OPENMMSC_REQUIRE_ALL: '1', PATH: `${bin}:${dirname(process.execPath)}:/bin` });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /System components missing/);
    assert.match(r.stdout, /^# pass 5$/m);
  });

  it('a component absent from PATH is missing, with the Debian package that provides it', () => {
    const empty = mkdtempSync(join(tmpdir(), 'openmmsc-empty-bin-'));
    after(() => rmSync(empty, { recursive: true, force: true }));
    const r = requireSystemIn({ PATH: empty }, 'xmllint', 'swaks');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout), 'xmllint not installed — apt-get install libxml2-utils; swaks not installed — apt-get install swaks');
  });

  it('outside the runner, OPENMMSC_REQUIRE_ALL=1 makes a missing component throw', () => {
    const r = requireSystemIn({ OPENMMSC_REQUIRE_ALL: '1', OPENMMSC_SYSTEM_MISSING: 'ffmpeg' }, 'ffmpeg');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /ffmpeg not installed \(OPENMMSC_SYSTEM_MISSING\) — apt-get install ffmpeg libavcodec-extra \(OPENMMSC_REQUIRE_ALL=1/);
  });
});
