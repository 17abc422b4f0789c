import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './free-port.js';
import { stopChild } from './redis-server.js';
import type { StoreServer } from './store-server.js';
import { systemCommand } from './system/index.js';
import { waitFor } from './wait-for.js';

/**
 * A PostgreSQL server: `url` is `postgres://postgres@127.0.0.1:PORT/postgres` (trust authentication
 * on loopback). `stop` is a fast shutdown (SIGINT); `kill` takes the postmaster and every backend
 * down; `restart` recovers by replaying the WAL.
 */
export interface PostgresServer extends StoreServer {
  /** Runs SQL through `psql` and returns its unaligned output. */
  psql(sql: string): string;
}

export interface PostgresServerOptions {
  /** More server settings, as `-c name=value` pairs. */
  settings?: Record<string, string>;
}

/** The newest PostgreSQL server binaries installed (Debian: /usr/lib/postgresql/<major>/bin). */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const major of majors) {
    const bin = join(root, major, 'bin');
    if (existsSync(join(bin, 'initdb'))) return bin;
  }
  // Elsewhere: the folder of the initdb on PATH (resolving a symlink), or the install line.
  return dirname(realpathSync(systemCommand('initdb', 'postgresql')));
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/**
 * Starts a throw-away PostgreSQL server (initdb into a fresh directory, trust authentication,
 * listening on 127.0.0.1 only, on a free port). The server is its own process group, so `kill`
 * takes the backends down with the postmaster, as a crash of the machine's database would.
 */
export async function startPostgres(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'openmmsc-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  execFileSync(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C'], {
    stdio: 'ignore',
    ...(user ?? {}),
  });
  const settings: Record<string, string> = { listen_addresses: '127.0.0.1', unix_socket_directories: dir, max_connections: '200', ...options.settings };
  let port = 0;
  let child: ChildProcess | undefined;
  const psql = (sql: string): string =>
    execFileSync(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-At', '-c', sql], {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const launch = async (): Promise<void> => {
    const args = ['-D', data, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    const proc = spawn(join(bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true, ...(user ?? {}) });
    let log = '';
    proc.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    child = proc;
    try {
      await waitFor(
        'postgres to accept connections',
        () => {
          if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`postgres exited: ${log}`);
          psql('SELECT 1');
          return true;
        },
        { timeoutMs: 60_000, intervalMs: 50 },
      );
    } catch (error) {
      if (proc.pid !== undefined && proc.exitCode === null) process.kill(-proc.pid, 'SIGKILL');
      throw error;
    }
  };
  const killGroup = async (): Promise<void> => {
    const proc = child;
    if (!proc?.pid || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((ok) => proc.once('exit', () => ok()));
    process.kill(-proc.pid, 'SIGKILL');
    await exited;
    // Backends may outlive the postmaster by a moment; a restart must not find them holding memory.
    await waitFor('backends to exit', () => {
      try {
        process.kill(-proc.pid!, 0);
        return false;
      } catch {
        return true;
      }
    }, { timeoutMs: 10_000, intervalMs: 20 });
  };
  for (let tries = 0; ; tries++) {
    port = await freePort();
    try {
      await launch();
      break;
    } catch (error) {
      if (tries >= 2) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  return {
    get url() {
      return `postgres://postgres@127.0.0.1:${port}/postgres`;
    },
    port,
    dir,
    get pid() {
      return child?.pid;
    },
    psql,
    async stop() {
      await stopChild(child, 'SIGINT');
      await killGroup();
      rmSync(dir, { recursive: true, force: true });
    },
    kill: killGroup,
    async restart() {
      await killGroup();
      await launch();
    },
  };
}
