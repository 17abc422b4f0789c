import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { spawnWatched } from '@openmmsc/testkit';

// The installed command, as a user runs it (built code: `tsc -b` first, as `npm test` does).
const bin = fileURLToPath(new URL('../bin/openmmsc.mjs', import.meta.url));
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const openmmsc = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000, cwd: repo });

const router = (unmatched: 'next' | 'reject') => `
  - name: "@openmmsc/plugin-router-prefix"
    options: { routes: [{ prefix: "+1555", target: local }], unmatched: ${unmatched} }`;
const mm1 = (limits = '') => `
  - name: "@openmmsc/plugin-mm1"
    options: { port: 0${limits} }`;
const mm7 = `
  - name: "@openmmsc/plugin-mm7"
    options: { port: 0, vasps: [{ id: news, password: s3cret, shortCodes: ["4444"] }] }`;
const pushLog = `
  - "@openmmsc/plugin-push-log"`;

const NO_BEARER = /warning: plugins\[0\] \(@openmmsc\/plugin-router-prefix\): routes recipients to local subscribers, but no plugin provides a push bearer/;
const CATCH_ALL = /warning: plugins\[0\] \(@openmmsc\/plugin-router-prefix\)\.unmatched: answers every address itself, so plugins\[\d\] \(@openmmsc\/plugin-mm7\), listed after it, is never asked for short codes/;
const SIZES = /warning: plugins\[\d\] \(@openmmsc\/plugin-mm1\)\.limits\.maxMessageSize: MM1 submissions of subscribers without a size class are limited to 300KB by this option's default, below the limits\.maxMessageSize \(1MB\) set in this file/;

describe('openmmsc check / start: configurations that cannot work as written', () => {
  let dir: string;
  let n = 0;
  const config = async (body: string) => {
    const file = join(dir, `c${++n}.yaml`);
    await writeFile(file, `store: { type: sqlite, path: s${n}.sqlite }\nadmin: { port: 0 }\nlog: { level: warn }\n${body}\n`);
    return file;
  };
  before(async () => {
    assert.ok(existsSync(join(repo, 'packages/cli/dist/run.js')), 'build first: node node_modules/typescript/bin/tsc -b');
    await mkdir(join(repo, '.tmp'), { recursive: true });
    dir = await mkdtemp(join(repo, '.tmp', 'check-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('local routes with no push bearer (what examples/basic used to be)', async () => {
    const r = openmmsc('check', await config(`plugins:${router('next')}${mm1(', limits: { maxMessageSize: 300KB }')}`));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, NO_BEARER);
    assert.match(r.stderr, /configuration is valid \(2 plugin\(s\)\), 1 warning\(s\)/);
  });

  it('a catch-all router in front of MM7, which would have routed the VASP short code', async () => {
    const file = await config(`plugins:${router('reject')}${pushLog}${mm7}`);
    const r = openmmsc('check', file);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, CATCH_ALL);
    assert.equal(r.stderr.match(/^warning:/gm)?.length, 1, r.stderr);
    // Listed first, MM7 answers its short codes and the router takes the rest: no warning.
    const fixed = openmmsc('check', await config(`plugins:${mm7}${router('reject')}${pushLog}`));
    assert.doesNotMatch(fixed.stderr, /warning/, fixed.stderr);
  });

  it('the kernel\'s 1MB set in the file, and MM1\'s 300KB default that silently wins', async () => {
    const r = openmmsc('check', await config(`limits: { maxMessageSize: 1MB }\nplugins:${router('next')}${pushLog}${mm1()}`));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, SIZES);
    assert.equal(r.stderr.match(/^warning:/gm)?.length, 1, r.stderr);
  });

  it('--strict exits 3 on warnings; a good config has none and exits 0', async () => {
    const bad = openmmsc('check', '--strict', await config(`plugins:${router('next')}${mm1(', limits: { maxMessageSize: 300KB }')}`));
    assert.equal(bad.status, 3, bad.stderr);
    const good = openmmsc('check', '--strict', await config(`limits: { maxMessageSize: 1MB }\nplugins:${mm7}${router('reject')}${pushLog}${mm1(', limits: { maxMessageSize: 300KB }')}`));
    assert.equal(good.status, 0, good.stderr);
    assert.doesNotMatch(good.stderr, /warning/);
    assert.match(good.stderr, /configuration is valid \(4 plugin\(s\)\)\n/);
  });

  it('the example the CLI README starts checks clean', () => {
    const r = openmmsc('check', '--strict', join(repo, 'examples/basic/openmmsc.yaml'));
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /warning/);
  });

  /** Starts the command, waits until it runs, stops it; returns its JSON log lines. */
  async function startAndStop(file: string): Promise<Array<{ level: number; msg: string }>> {
    const started = spawnWatched(process.execPath, [bin, 'start', file], { cwd: repo });
    const proc = started.child;
    try {
      const deadline = Date.now() + 30_000;
      while (!/OpenMMSC started/.test(started.stderr()) && proc.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.match(started.stderr(), /OpenMMSC started/, started.stderr());
      proc.kill('SIGTERM');
      assert.equal(await started.exited, 0, started.stderr());
    } finally {
      await started.kill();
    }
    return started
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string });
  }

  it('start logs the same three warnings at startup, and none for a good config', async () => {
    const bad = await startAndStop(await config(`limits: { maxMessageSize: 1MB }\nplugins:${router('reject')}${mm7}${mm1()}`));
    const warned = bad.filter((l) => l.level === 40 && l.msg.startsWith('configuration: ')).map((l) => `warning: ${l.msg.slice('configuration: '.length)}`);
    assert.equal(warned.length, 3, warned.join('\n'));
    for (const pattern of [NO_BEARER, CATCH_ALL, SIZES]) assert.ok(warned.some((w) => pattern.test(w)), `${pattern} in\n${warned.join('\n')}`);
    const good = await startAndStop(await config(`plugins:${mm7}${router('reject')}${pushLog}${mm1()}`));
    assert.deepEqual(good.filter((l) => l.level >= 40), []);
  });
});
