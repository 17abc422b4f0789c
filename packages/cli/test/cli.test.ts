import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { scratchDir } from '@openmmsc/testkit';
import { corpusPath } from '@openmmsc/conformance';

const run = fileURLToPath(new URL('../src/run.ts', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [...process.execArgv, run, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('openmmsc CLI', () => {
  let dir: string;
  scratchDir('openmmsc-cli-', (d) => (dir = d));

  it('--version prints the version in its package.json', async () => {
    const manifest = JSON.parse(await readFile(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { version: string };
    const out = cli('--version');
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.stdout.trim(), manifest.version);
  });

  it('--version follows package.json: a copy of the CLI published as 9.8.7 says 9.8.7', async () => {
    const pkg = join(dir, 'cli-copy');
    const here = fileURLToPath(new URL('..', import.meta.url));
    await cp(join(here, 'src'), join(pkg, 'src'), { recursive: true });
    const manifest = JSON.parse(await readFile(join(here, 'package.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(pkg, 'package.json'), JSON.stringify({ ...manifest, version: '9.8.7' }));
    await symlink(join(here, 'node_modules'), join(pkg, 'node_modules'), 'dir');
    const out = spawnSync(process.execPath, [...process.execArgv, join(pkg, 'src', 'run.ts'), '--version'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.stdout.trim(), '9.8.7');
  });

  it('has --help on every command', () => {
    const top = cli('--help');
    assert.equal(top.status, 0);
    for (const command of ['start', 'check', 'decode', 'encode']) {
      assert.match(top.stdout, new RegExp(`\\b${command}\\b`));
      const sub = cli(command, '--help');
      assert.equal(sub.status, 0, sub.stderr);
      assert.match(sub.stdout, new RegExp(`Usage: openmmsc ${command}`));
    }
  });

  it('check prints the resolved config with secrets masked', async () => {
    const file = join(dir, 'secret.yaml');
    await writeFile(
      file,
      [
        'store: { type: redis, url: "redis://mmsc:s3cret@127.0.0.1:6379" }',
        'plugins:',
        '  - name: "@openmmsc/plugin-router-prefix"',
        '    options: { routes: [{ prefix: "+1555", target: local }] }',
      ].join('\n'),
    );
    // Plugins resolve from the config's directory: use the example's, which has them installed.
    const example = fileURLToPath(new URL('../../../examples/basic/', import.meta.url));
    const inExample = join(example, '.check-test.yaml');
    await writeFile(inExample, (await import('node:fs')).readFileSync(file));
    try {
      const r = cli('check', inExample);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /url: redis:\/\/mmsc:\*\*\*@127\.0\.0\.1:6379/);
      assert.doesNotMatch(r.stdout, /s3cret/);
      assert.match(r.stdout, /name: "@openmmsc\/plugin-router-prefix"/);
      assert.match(r.stdout, /unmatched: next/); // plugin defaults filled in
      assert.match(r.stderr, /configuration is valid \(1 plugin\(s\)\)/);
    } finally {
      await rm(inExample, { force: true });
    }
  });

  it('check fails with the path and the problem', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'store: { type: sqlite }\nlimits: { maxRecipients: 0 }\n');
    const r = cli('check', file);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /store\.path: required/);
    assert.match(r.stderr, /limits\.maxRecipients: /);
  });

  /** `openmmsc start <config> …extra` with an SQLite store, once its admin URL is printed. */
  async function startCli(name: string, ...extra: string[]) {
    const file = join(dir, `${name}.yaml`);
    await writeFile(file, `store: { type: sqlite, path: ${join(dir, `${name}.sqlite`)} }\nadmin: { port: 0 }\nlog: { level: warn }\n`);
    const proc = spawn(process.execPath, [...process.execArgv, run, 'start', file, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { proc, stderr: '', exit: new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code))) };
    proc.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
    const admin = /admin: (http:\/\/127\.0\.0\.1:\d+)/;
    const deadline = Date.now() + 120_000;
    while (!admin.test(out.stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const url = admin.exec(out.stderr)?.[1];
    assert.ok(url, out.stderr);
    return { proc, exit: out.exit, url, stderrText: () => out.stderr };
  }

  it('start prints where it listens and drains on SIGTERM', async () => {
    const started = await startCli('start');
    assert.equal((await fetch(`${started.url}/health`)).status, 200);
    assert.equal((await fetch(`${started.url}/ready`)).status, 200);
    started.proc.kill('SIGTERM');
    assert.equal(await started.exit, 0);
    assert.match(started.stderrText(), /SIGTERM: draining and stopping/);
  });

  it('start --workers 2 runs two worker processes on the shared ports and stops them all on SIGTERM', async () => {
    const started = await startCli('workers', '--workers', '2');
    const pids = /started with 2 workers \(pids (\d+), (\d+)\)/.exec(started.stderrText())?.slice(1).map(Number);
    assert.equal(pids?.length, 2, started.stderrText());
    for (let i = 0; i < 4; i++) assert.equal((await fetch(`${started.url}/ready`)).status, 200);
    started.proc.kill('SIGTERM');
    assert.equal(await started.exit, 0, started.stderrText());
    const alive = pids!.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    assert.deepEqual(alive, [], 'workers left running after the primary stopped');
  });
});

describe('openmmsc decode / encode', () => {
  it('decodes a real notification to JSON and encodes it back to the same bytes', async () => {
    const file = corpusPath('mmsd/embedded/mms_m_notify_ind_1.mms');
    const decoded = cli('decode', file);
    assert.equal(decoded.status, 0, decoded.stderr);
    const json = JSON.parse(decoded.stdout) as { messageType: string; contentLocation: string };
    assert.equal(json.messageType, 'm-notification-ind');
    assert.match(json.contentLocation, /^http/);
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-codec-cli-'));
    try {
      const jsonFile = join(dir, 'pdu.json');
      await writeFile(jsonFile, decoded.stdout);
      const out = join(dir, 'pdu.mms');
      const encoded = cli('encode', jsonFile, '-o', out);
      assert.equal(encoded.status, 0, encoded.stderr);
      const again = cli('decode', out);
      assert.deepEqual(JSON.parse(again.stdout), JSON.parse(decoded.stdout));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says what is wrong with bytes that are not a PDU, with exit code 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-codec-cli-'));
    try {
      const bad = join(dir, 'bad.mms');
      await writeFile(bad, Buffer.from('this is not an MMS PDU'));
      const r = cli('decode', bad);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /bad\.mms: .+/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
