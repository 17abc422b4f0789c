import pg from 'pg';

/** Kinds announced within this window go out in one NOTIFY statement. */
const COALESCE_MS = 5;
const RECONNECT_MS = 1000;

/**
 * LISTEN/NOTIFY between the nodes of one queue: a node that enqueues due work (or wakes held
 * jobs) announces the kind, and idle nodes claim at once instead of polling fast. Announcements
 * are sent apart from the enqueue's own transaction, coalesced: a NOTIFY inside a writing
 * transaction takes a database-wide lock until its commit is flushed, which would serialise
 * every enqueue's commit.
 */
export class JobSignals {
  readonly #url: string;
  readonly #channel: string;
  readonly #pool: pg.Pool;
  readonly #onKind: (kind: string) => void;
  readonly #onError: (error: unknown) => void;
  #client: pg.Client | undefined;
  #pending = new Set<string>();
  #flushTimer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: { url: string; channel: string; pool: pg.Pool; onKind: (kind: string) => void; onError: (error: unknown) => void }) {
    this.#url = options.url;
    this.#channel = options.channel;
    this.#pool = options.pool;
    this.#onKind = options.onKind;
    this.#onError = options.onError;
  }

  /** True while notifications are received (else the runner's poll is the only wake-up). */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  async listen(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({ connectionString: this.#url, application_name: 'openmmsc-listen' });
    const lost = (error?: unknown): void => {
      if (error) this.#onError(error);
      if (this.#client !== client) return;
      this.#client = undefined;
      client.end().catch(() => undefined);
      this.#scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (msg) => {
      if (msg.channel === this.#channel && msg.payload) this.#onKind(msg.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.#channel}`);
      this.#client = client;
    } catch (error) {
      client.end().catch(() => undefined);
      this.#onError(error);
      this.#scheduleReconnect();
    }
  }

  /** Tells the other nodes that work of `kind` is due now. */
  announce(kind: string): void {
    if (this.#closed) return;
    this.#pending.add(kind);
    this.#flushTimer ??= setTimeout(() => void this.#flush(), COALESCE_MS);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#flushTimer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #flush(): Promise<void> {
    this.#flushTimer = undefined;
    const kinds = [...this.#pending];
    this.#pending = new Set();
    if (kinds.length === 0 || this.#closed) return;
    try {
      await this.#pool.query(`SELECT pg_notify($1, k) FROM unnest($2::text[]) AS k`, [this.#channel, kinds]);
    } catch (error) {
      // Not fatal: the other nodes poll too.
      this.#onError(error);
    }
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnectTimer) return;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.listen();
    }, RECONNECT_MS).unref();
  }
}
