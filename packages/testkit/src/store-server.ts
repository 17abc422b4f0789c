/**
 * A throw-away database server a test starts (redis-server, PostgreSQL) on a loopback port, in a
 * directory of its own.
 */
export interface StoreServer {
  url: string;
  port: number;
  /** Working directory (data, logs); removed by `stop`, kept by `kill`. */
  dir: string;
  pid: number | undefined;
  /** Graceful stop, then the directory is removed. */
  stop(): Promise<void>;
  /** `kill -9`, as a crash would end it: no shutdown work, and the directory is kept for `restart`. */
  kill(): Promise<void>;
  /** Starts again on the same port and directory, with the same settings (after `kill`). */
  restart(): Promise<void>;
}

/** How long a starting group of servers may take to settle (cluster state, replication), and how often to look. */
export const SETTLING = { timeoutMs: 30_000, intervalMs: 100 } as const;

/** Brings `group` up with `setUp`; when that fails, stops what is already up and rethrows. */
export async function bringUp<G extends { stop(): Promise<void> }>(group: G, setUp: () => Promise<void>): Promise<G> {
  try {
    await setUp();
  } catch (error) {
    await group.stop();
    throw error;
  }
  return group;
}
