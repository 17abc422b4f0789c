import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** A child process whose output a test reads as it comes, and whose exit it awaits. */
export interface WatchedChild {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** SIGKILL unless it has already ended; resolves once it has. */
  kill(): Promise<void>;
}

/** Spawns `command` with stdout and stderr collected (stdin ignored). */
export function spawnWatched(command: string, args: readonly string[], options: SpawnOptions = {}): WatchedChild {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
