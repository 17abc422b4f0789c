import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The launcher's own program, run as `node -e` (no loader, ≈ 40 MB). It starts each converter
 * with the input file as stdin and the output file as stdout, at the niceness asked, kills it on
 * request or when its output outgrows the limit, and answers with the exit status and stderr.
 *
 * Detached, the helper leads its own session, and Linux gives each session its own scheduling
 * group (autogroup) where `sched_autogroup_enabled` is on, the default of desktop and many server
 * kernels. A converter's niceness then weighs only against the other converters: the group as a
 * whole took as large a share of the cores as the MMSC's, and held the loop that answers handsets
 * on the run queue for tens of milliseconds a request. So the helper gives its group the highest
 * niceness a converter asked for; raising it needs no privilege. Without autogroups the file is
 * absent or its value unused, and the converters' own niceness weighs against the MMSC's threads.
 */
const LAUNCHER_SOURCE = String.raw`
const { spawn } = require('node:child_process');
const { openSync, closeSync, statSync, writeFileSync } = require('node:fs');
const { setPriority } = require('node:os');
const running = new Map();
let groupNiceness = 0;
const yieldAsGroup = (niceness) => {
  if (niceness <= groupNiceness) return;
  try { writeFileSync('/proc/self/autogroup', String(niceness)); groupNiceness = niceness; } catch {}
};
process.on('message', (m) => {
  if (m.kill !== undefined) { const c = running.get(m.kill); if (c) c.kill('SIGKILL'); return; }
  const fds = [];
  let child;
  try {
    const input = m.input ? openSync(m.input, 'r') : 'ignore';
    if (typeof input === 'number') fds.push(input);
    const output = openSync(m.output, 'w');
    fds.push(output);
    yieldAsGroup(m.niceness);
    child = spawn(m.cmd, m.args, { stdio: [input, output, 'pipe'] });
  } catch (e) {
    for (const fd of fds) closeSync(fd);
    process.send({ id: m.id, error: e.message });
    return;
  }
  for (const fd of fds) closeSync(fd);
  try { if (child.pid) setPriority(child.pid, m.niceness); } catch {}
  running.set(m.id, child);
  let stderr = '';
  let over = false;
  let done = false;
  const watch = setInterval(() => {
    try { if (statSync(m.output).size > m.maxOutput) { over = true; child.kill('SIGKILL'); } } catch {}
  }, 100);
  const finish = (reply) => {
    if (done) return;
    done = true;
    clearInterval(watch);
    running.delete(m.id);
    process.send(Object.assign({ id: m.id, stderr, over }, reply));
  };
  child.stderr.on('data', (d) => { if (stderr.length < 16384) stderr += d.toString('utf8'); });
  child.on('error', (e) => finish({ error: e.message }));
  child.on('close', (code, signal) => finish({ code, signal }));
});
process.on('disconnect', () => { for (const c of running.values()) c.kill('SIGKILL'); process.exit(0); });
`;

/** How a converter run is asked for (see `run` in tools.ts). */
export interface LaunchRequest {
  cmd: string;
  args: readonly string[];
  input?: Uint8Array | undefined;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  maxOutput: number;
  niceness: number;
}

/** How it ended: `error` when it could not be started, else its exit and what it wrote. */
export type LaunchResult =
  | { kind: 'error'; message: string }
  | { kind: 'exited'; code: number | null; signal: string | null; stderr: string; stdout?: Buffer; over: boolean }
  | { kind: 'killed'; why: 'timeout' | 'aborted'; stderr: string };

interface Reply {
  id: number;
  error?: string;
  code?: number | null;
  signal?: string | null;
  stderr: string;
  over: boolean;
}

/**
 * Starts converters (ffmpeg, ffprobe, ImageMagick) from a small long-lived helper process.
 * Starting a program forks the process that asks, which copies its page tables while its event
 * loop waits: from an MMSC holding large messages (≈ 1 GB) that is hundreds of milliseconds per
 * converter, taken from the handsets the loop answers. The helper stays small, so the fork is
 * its cost, not the loop's; stdin and stdout go through files in a private temporary directory.
 * The helper starts on first use, never keeps the process alive while idle, and is started again
 * if it dies (the runs it had in hand fail, as a crashed converter would).
 */
export class ConverterLauncher {
  #child: ChildProcess | undefined;
  #dir: string | undefined;
  #next = 0;
  readonly #pending = new Map<number, (reply: Reply) => void>();

  async launch(req: LaunchRequest): Promise<LaunchResult> {
    const child = this.#helper();
    const id = ++this.#next;
    const dir = this.#dir!;
    const inputFile = req.input ? join(dir, `${id}.in`) : undefined;
    const outputFile = join(dir, `${id}.out`);
    const files = inputFile ? [inputFile, outputFile] : [outputFile];
    let killed = false;
    try {
      if (inputFile) await writeFile(inputFile, req.input!);
      if (req.signal?.aborted) return { kind: 'killed', why: 'aborted', stderr: '' };
      const reply = await this.#ask(child, id, req, files);
      if ('killed' in reply) {
        killed = true;
        return { kind: 'killed', why: reply.killed, stderr: reply.stderr };
      }
      if (reply.error !== undefined) return { kind: 'error', message: reply.error };
      const base = { kind: 'exited' as const, code: reply.code ?? null, signal: reply.signal ?? null, stderr: reply.stderr, over: reply.over };
      if (reply.code !== 0 || reply.over) return base;
      if ((await stat(outputFile)).size > req.maxOutput) return { ...base, over: true };
      return { ...base, stdout: await readFile(outputFile) };
    } finally {
      // A killed run's files go once the helper has answered (it may still be opening them).
      if (!killed) await removeFiles(files);
    }
  }

  #ask(child: ChildProcess, id: number, req: LaunchRequest, files: readonly string[]): Promise<Reply | { killed: 'timeout' | 'aborted'; stderr: string }> {
    const [input, output] = files.length === 2 ? files : [undefined, files[0]];
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(id);
        if (this.#pending.size === 0) this.#idle(child);
      };
      const kill = (why: 'timeout' | 'aborted'): void => {
        if (child.connected) child.send({ kill: id });
        // The caller is told now; the helper's answer, when the converter has ended, only tidies up.
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        this.#pending.set(id, () => {
          done();
          void removeFiles(files);
        });
        resolve({ killed: why, stderr: '' });
      };
      const onAbort = (): void => kill('aborted');
      const timer = setTimeout(() => kill('timeout'), req.timeoutMs);
      req.signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, (reply) => {
        done();
        resolve(reply);
      });
      this.#busy(child);
      child.send({ id, cmd: req.cmd, args: req.args, input, output, niceness: req.niceness, maxOutput: req.maxOutput });
    });
  }

  #helper(): ChildProcess {
    if (this.#child?.connected) return this.#child;
    if (!this.#dir) {
      const dir = mkdtempSync(join(tmpdir(), 'openmmsc-mm11-'));
      this.#dir = dir;
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    }
    // Plain node: no loader or inspector flags of this process (NODE_OPTIONS) in the helper.
    const { NODE_OPTIONS: _loaders, ...env } = process.env;
    // Its own process group, which its converters join: if it dies abruptly, they are ended with it.
    const child = spawn(process.execPath, ['-e', LAUNCHER_SOURCE], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env, detached: true });
    child.on('message', (reply: Reply) => this.#pending.get(reply.id)?.(reply));
    child.once('exit', (code, signal) => {
      if (this.#child === child) this.#child = undefined;
      // Converters it was running would otherwise run on as orphans.
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is empty already.
      }
      const lost = { stderr: '', over: false, error: `the converter launcher exited (${signal ?? code})` };
      for (const [id, end] of this.#pending) end({ id, ...lost });
    });
    child.on('error', () => {
      /* a failed start shows as exit; the runs in hand fail there */
    });
    this.#child = child;
    this.#idle(child);
    return child;
  }

  #busy(child: ChildProcess): void {
    child.ref();
    child.channel?.ref();
  }

  #idle(child: ChildProcess): void {
    child.unref();
    child.channel?.unref();
  }

  /** The helper's process id while it runs. */
  get pid(): number | undefined {
    return this.#child?.connected ? this.#child.pid : undefined;
  }

  /** Where inputs and outputs of running converters are kept (undefined before the first run). */
  get directory(): string | undefined {
    return this.#dir;
  }

  /** Stops the helper and removes its directory (tests; a process that exits needs not call it). */
  close(): void {
    this.#child?.kill();
    this.#child = undefined;
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }
}

/** The one launcher of this process: every MM11 instance here shares its helper. */
export const converterLauncher = new ConverterLauncher();

function removeFiles(files: readonly string[]): Promise<unknown> {
  return Promise.all(files.map((f) => rm(f, { force: true })));
}
