import {
  HoldJobError,
  PermanentJobError,
  isJobError,
  knownKinds,
  retryDelay,
  type JobKind,
  type JobQueueStartOptions,
  type RunningJob,
} from '../services/job-queue.js';

/** A job this process claimed; backends add what they need to prove the claim is still theirs. */
export interface Claim {
  job: RunningJob;
}

/**
 * What a table-backed queue (SQLite, PostgreSQL) does to its rows; the runner decides when.
 * Every write after `claim` concerns a job this process claimed and must change nothing when
 * the claim was lost (another node took the job over).
 */
export interface JobTable<C extends Claim> {
  /** Up to `limit` due jobs of `kind`, marked active, attempt counted. */
  claim(kind: JobKind, limit: number, now: number): Promise<C[]>;
  /** Earliest run time of a waiting job of these kinds (undefined: none). */
  nextDue(kinds: readonly JobKind[]): Promise<number | undefined>;
  complete(claim: C): Promise<void>;
  /** Back to waiting until `runAt` (a failed attempt); any hold ends. */
  retry(claim: C, runAt: number, error: string, now: number): Promise<void>;
  /** Failed for good; false when the claim was lost (then `onFailed` is left to the new owner). */
  fail(claim: C, error: string, now: number): Promise<boolean>;
  /** Waiting for a resource until `runAt` or `wake(key)`, giving back the attempt its claim took. */
  hold(claim: C, runAt: number, key: string | undefined, reason: string, now: number): Promise<void>;
  /** Interrupted by shutdown: waiting again, attempt given back. */
  handBack(claim: C): Promise<void>;
}

interface Running<C extends Claim> {
  claim: C;
  controller: AbortController;
  done: Promise<void>;
  /** Set when `drain` gave up waiting: the row is handed back and the late result ignored. */
  abandoned: boolean;
}

export interface JobRunnerOptions {
  /** Longest sleep between looks at the table: bounds the delay if a wake-up is ever missed. */
  maxPollMs: number;
  onError: (error: unknown) => void;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Runs the jobs of a table-backed queue in this process: claims due jobs per kind up to its
 * concurrency, runs their handlers, records each outcome (done, retry with back-off, hold,
 * failed), sleeps until the next job is due (or `poke`), and drains on shutdown.
 */
export class JobRunner<C extends Claim> {
  readonly #table: JobTable<C>;
  readonly #opts: JobRunnerOptions;
  #options: JobQueueStartOptions | undefined;
  readonly #active = new Map<string, Running<C>>();
  readonly #activeByKind = new Map<JobKind, number>();
  #closing = false;
  #pumping = false;
  #pumpScheduled = false;
  /** What the next pump looks at: every kind (a timer, a start, a wake-up from elsewhere) or only these. */
  #pokedAll = false;
  readonly #pokedKinds = new Set<JobKind>();
  /** The kinds whose delayed jobs the armed timer accounts for, and when it fires. */
  #armedKinds = new Set<JobKind>();
  #timer: NodeJS.Timeout | undefined;
  #timerAt: number | undefined;

  constructor(table: JobTable<C>, options: JobRunnerOptions) {
    this.#table = table;
    this.#opts = options;
  }

  get started(): boolean {
    return this.#options !== undefined;
  }

  get closing(): boolean {
    return this.#closing;
  }

  /** The kernel's kinds and those this node has handlers for. */
  kinds(): Set<JobKind> {
    return knownKinds(this.#options);
  }

  /** Claims of the jobs running here now (for lease renewal). */
  claims(): C[] {
    return [...this.#active.values()].map((r) => r.claim);
  }

  /** True when a job of `kind` could be claimed here now. */
  hasRoom(kind: JobKind): boolean {
    return !this.#closing && this.#options?.handlers[kind] !== undefined && this.#room(kind) > 0;
  }

  start(options: JobQueueStartOptions): void {
    if (this.#options) throw new Error('job queue already started');
    if (this.#closing) throw new Error('job queue is closed');
    this.#options = options;
    this.poke();
  }

  /**
   * Look at the table soon: for jobs of `kind` only (one was enqueued due now, a slot of that
   * kind freed), or for every kind. A targeted look costs one claim query instead of one per
   * kind plus the next-due query, which is what each message's enqueues and completions cost.
   */
  poke(kind?: JobKind): void {
    if (!this.#options || this.#closing) return;
    if (kind === undefined) this.#pokedAll = true;
    else this.#pokedKinds.add(kind);
    this.#schedulePump();
  }

  #schedulePump(): void {
    if (this.#pumpScheduled || this.#closing) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      void this.#pump();
    });
  }

  /** A job of `kind` becomes due at `runAt` (enqueued delayed, retried, held): wake by then. */
  dueAt(kind: JobKind, runAt: number): void {
    if (!this.#options || this.#closing) return;
    if (runAt <= Date.now()) return this.poke(kind);
    // A kind the armed timer does not account for is looked at in full when its slot frees.
    if (!this.#armedKinds.has(kind)) return;
    if (this.#timerAt !== undefined && this.#timerAt <= runAt) return;
    this.#setTimer(runAt - Date.now());
  }

  /** Stops claiming, waits for running jobs (`graceMs`), then aborts them and hands them back. */
  async drain(graceMs: number): Promise<void> {
    this.#closing = true;
    this.#clearTimer();
    // A pump may be between its claim and launching handlers: let it launch them, so they are waited for.
    while (this.#pumping) await new Promise((r) => setTimeout(r, 1));
    if (await this.#settle(graceMs)) return;
    for (const running of this.#active.values()) running.controller.abort(new Error('job queue closing'));
    // Handlers that honour the signal end now; the others are abandoned and their jobs resume later.
    if (await this.#settle(Math.min(graceMs, 1000))) return;
    for (const running of this.#active.values()) {
      running.abandoned = true;
      await this.#table.handBack(running.claim).catch(this.#opts.onError);
    }
  }

  async #settle(ms: number): Promise<boolean> {
    if (this.#active.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
    const all = Promise.allSettled([...this.#active.values()].map((r) => r.done)).then(() => true);
    const settled = await Promise.race([all, timeout]);
    clearTimeout(timer);
    return settled;
  }

  async #pump(): Promise<void> {
    // A pump already running loops again for the pokes that arrived meanwhile.
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      let rearm = false;
      while (!this.#closing && (this.#pokedAll || this.#pokedKinds.size > 0)) {
        const all = this.#pokedAll;
        const kinds = all ? this.#kindsWithRoom() : [...this.#pokedKinds].filter((kind) => this.hasRoom(kind));
        this.#pokedAll = false;
        this.#pokedKinds.clear();
        rearm ||= all;
        for (const kind of kinds) {
          if (this.#closing) return;
          const claims = await this.#table.claim(kind, this.#room(kind), Date.now());
          for (const claim of claims) this.#launch(claim);
          // A kind that gained room since the timer was armed may have delayed jobs it does not know of.
          if (!this.#armedKinds.has(kind) && this.hasRoom(kind)) rearm = true;
        }
      }
      if (rearm || this.#timerAt === undefined) await this.#armTimer();
    } catch (error) {
      this.#opts.onError(error);
      if (!this.#closing) this.#setTimer(this.#opts.maxPollMs);
    } finally {
      this.#pumping = false;
      // Pokes that came while the timer was being armed would otherwise wait for it.
      if (this.#pokedAll || this.#pokedKinds.size > 0) this.#schedulePump();
    }
  }

  #room(kind: JobKind): number {
    return (this.#options?.concurrency[kind] ?? 1) - (this.#activeByKind.get(kind) ?? 0);
  }

  #kindsWithRoom(): JobKind[] {
    return Object.keys(this.#options?.handlers ?? {}).filter((kind) => this.hasRoom(kind));
  }

  /** Sleeps until the next job is due for a kind with room, or `maxPollMs`, then looks at every kind. */
  async #armTimer(): Promise<void> {
    this.#clearTimer();
    const kinds = this.#kindsWithRoom();
    this.#armedKinds = new Set(kinds);
    if (this.#closing || kinds.length === 0) return;
    const next = await this.#table.nextDue(kinds);
    const max = this.#opts.maxPollMs;
    const wait = next === undefined ? max : Math.min(max, Math.max(0, next - Date.now()));
    // A dueAt() while the query ran may have armed an earlier timer: keep the earlier one.
    if (this.#timerAt !== undefined && this.#timerAt <= Date.now() + wait) return;
    this.#setTimer(wait);
  }

  #setTimer(wait: number): void {
    if (this.#closing) return;
    this.#clearTimer();
    this.#timerAt = Date.now() + wait;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = undefined;
      this.poke();
    }, wait).unref();
  }

  #clearTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = undefined;
  }

  #launch(claim: C): void {
    const { job } = claim;
    // Our own earlier run of this job lost its claim (its lease ran out): its outcome no longer counts.
    const stale = this.#active.get(job.id);
    if (stale) stale.abandoned = true;
    const running: Running<C> = { claim, controller: new AbortController(), done: Promise.resolve(), abandoned: false };
    this.#active.set(job.id, running);
    this.#activeByKind.set(job.kind, (this.#activeByKind.get(job.kind) ?? 0) + 1);
    running.done = this.#execute(running).finally(() => {
      if (this.#active.get(job.id) === running) this.#active.delete(job.id);
      this.#activeByKind.set(job.kind, (this.#activeByKind.get(job.kind) ?? 1) - 1);
      this.poke(job.kind);
    });
  }

  async #execute(running: Running<C>): Promise<void> {
    const { claim, controller } = running;
    const { job } = claim;
    const handler = this.#options?.handlers[job.kind];
    let failure: unknown;
    let failed = false;
    try {
      if (!handler) throw new Error(`no handler for ${job.kind}`);
      await handler(job, controller.signal);
    } catch (error) {
      failed = true;
      failure = error;
    }
    if (running.abandoned) return;
    try {
      if (!failed) await this.#table.complete(claim);
      else if (this.#closing && controller.signal.aborted) await this.#table.handBack(claim);
      else if (isJobError(failure, HoldJobError)) {
        const now = Date.now();
        const runAt = now + Math.max(0, failure.delayMs);
        await this.#table.hold(claim, runAt, failure.key, failure.message, now);
        this.dueAt(job.kind, runAt);
      } else await this.#fail(claim, toError(failure));
    } catch (error) {
      this.#opts.onError(error);
    }
  }

  async #fail(claim: C, error: Error): Promise<void> {
    const { job } = claim;
    const now = Date.now();
    // A plain boolean: PermanentJobError adds nothing to Error, so a type guard would narrow `error` away.
    const permanent: boolean = error instanceof PermanentJobError || error.name === 'PermanentJobError';
    const delay = permanent ? undefined : retryDelay(job, error, now);
    if (delay === undefined) {
      if (!(await this.#table.fail(claim, error.message, now))) return;
      try {
        await this.#options?.onFailed(job, error);
      } catch (callbackError) {
        this.#opts.onError(callbackError);
      }
      return;
    }
    await this.#table.retry(claim, now + delay, error.message, now);
    this.dueAt(job.kind, now + delay);
  }
}
