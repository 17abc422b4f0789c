import type { Address, JobKindHandle, KeyValueStore, PluginContext } from '@openmmsc/core';
import { CcRequestType, RequestedAction } from '@openmmsc/diameter';
import type { CcrResult, CreditControl } from './credit-control.js';
import type { Mm9Options } from './options.js';
import { OcsUnreachableError } from './peer-pool.js';

/** A debit or reservation made in the charge stage, undone unless the message is stored. */
export interface Hold {
  index: number;
  sessionId: string;
  subscriber: Address;
  units: number;
}

export type Outcome = 'commit' | 'release';

/** A settling request the OCS has not answered yet, as a durable job. */
interface SettleJob {
  /** What makes it once: the Session-Id (session mode) or the refund's own key (event mode). */
  key: string;
  hold: { index: number; sessionId: string; subscriber: string; units: number };
  outcome: Outcome;
}

/** How long a settled key is remembered, so a late event does not settle it twice. */
const DONE_MS = 30 * 24 * 3600_000;
/** Longest delay between retries of a settling request. */
const RETRY_MAX = '60s';

/**
 * Closes reservations (CCR-TERMINATION, session mode) and refunds debits (CCR-EVENT with
 * REFUND_ACCOUNT, event mode), each once. Each is a durable job (kind `settle`): while the OCS
 * is unreachable it is retried with back-off (`retry` options), across restarts.
 */
export class Settlements {
  private readonly jobs: JobKindHandle<SettleJob>;

  constructor(
    private readonly ctx: Pick<PluginContext<Mm9Options>, 'jobs' | 'kv' | 'log' | 'mmsc'>,
    private readonly o: Mm9Options,
    private readonly cc: CreditControl,
  ) {
    this.jobs = ctx.jobs.define<SettleJob>('settle', (job) => this.attempt(job.data, job.attempt), {
      maxAttempts: o.retry.attempts + 1,
      backoff: { initial: o.retry.baseMs, factor: 2, max: RETRY_MAX },
      concurrency: 8,
      onFailed: (job, error) => ctx.log.error({ err: error, what: `${job.data.outcome} ${job.data.hold.sessionId}` }, 'credit-control request abandoned'),
    });
  }

  private get kv(): KeyValueStore {
    return this.ctx.kv;
  }

  /** Closes a reservation (session mode) or refunds a debit (event mode), once. */
  async settle(key: string, h: Hold, outcome: Outcome): Promise<void> {
    // An event-mode debit is final when it is made: only a refund has anything to do.
    if (this.o.mode === 'event' && outcome === 'commit') return;
    if (await this.kv.get(`done:${key}`)) return;
    // The id makes it once while pending; `done:` once it has run.
    await this.jobs.enqueue({ key, hold: { ...h, subscriber: h.subscriber.value }, outcome }, { id: `settle:${key}` });
  }

  /** Undoes a debit or reservation whose recipient will never be served. */
  undo(h: Hold): Promise<void> {
    return this.settle(this.o.mode === 'session' ? h.sessionId : `refund:${h.sessionId}:${h.index}`, h, 'release');
  }

  private async attempt(job: SettleJob, attempt: number): Promise<void> {
    try {
      await this.run(job);
    } catch (error) {
      this.ctx.log.warn({ err: error, what: `${job.outcome} ${job.hold.sessionId}`, attempt }, 'credit-control request failed; will retry');
      throw error;
    }
  }

  /** One attempt; throws (to be retried) while the OCS is unreachable or asks to retry. */
  private async run({ key, hold, outcome }: SettleJob): Promise<void> {
    if (await this.kv.get(`done:${key}`)) return;
    const subscriber = this.ctx.mmsc.parseAddress(hold.subscriber);
    let result: CcrResult;
    if (this.o.mode === 'session') {
      result = await this.cc.send({
        sessionId: hold.sessionId,
        type: CcRequestType.TERMINATION_REQUEST,
        number: 1,
        subscriber,
        usedUnits: outcome === 'commit' ? hold.units : 0,
        vars: {},
        recipients: [],
      });
    } else {
      result = await this.cc.send({
        sessionId: this.cc.newSessionId(),
        type: CcRequestType.EVENT_REQUEST,
        number: 0,
        action: RequestedAction.REFUND_ACCOUNT,
        subscriber,
        requestedUnits: hold.units,
        vars: {},
        recipients: [],
      });
    }
    if (result.verdict === 'retry') throw new OcsUnreachableError(`OCS answered ${result.resultCode}`);
    if (result.verdict !== 'accept') this.ctx.log.warn({ sessionId: hold.sessionId, resultCode: result.resultCode, outcome }, 'OCS refused to settle');
    await this.kv.set(`done:${key}`, outcome, DONE_MS);
  }
}
