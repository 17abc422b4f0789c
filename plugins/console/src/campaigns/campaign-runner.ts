import { runCampaign } from '@openmmsc/campaign';
import type { Clock, MmscRuntime } from '@openmmsc/core';
import type { Log } from '../log.js';
import { CHUNK, LEASE_MS, type CampaignState, type CampaignStore } from './campaign-store.js';
import { CampaignDeferred, submitCampaignBatch } from './submit-batch.js';

/** Between looks for work while a campaign runs, and while none does. */
const BUSY_MS = 100;
const IDLE_MS = 2000;

/**
 * Works on running campaigns: takes a chunk of recipients under a lease in the shared store,
 * submits it with the campaign engine, stores the outcomes, and moves the campaign on. Any node
 * may take any chunk; a node that dies leaves its lease to expire and another takes the chunk
 * over (the kernel's retransmission key keeps a batch it had submitted from being sent twice).
 */
export class CampaignRunner {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private working: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: CampaignStore,
    private readonly mmsc: MmscRuntime,
    private readonly clock: Clock,
    private readonly node: string,
    private readonly log: Log,
  ) {}

  start(): void {
    this.schedule(0);
  }

  /** Looks for work at once (a campaign was just created). */
  poke(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.working;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.working = this.working.then(async () => {
        let busy = false;
        try {
          busy = await this.step();
        } catch (error) {
          this.log.warn({ err: error }, 'console: campaign step failed (retried)');
        }
        this.schedule(busy ? 0 : this.anyRunning ? BUSY_MS : IDLE_MS);
      });
    }, ms);
    this.timer.unref();
  }

  private anyRunning = false;

  /** One chunk of one campaign; answers whether there was work. */
  private async step(): Promise<boolean> {
    this.anyRunning = false;
    for (const id of await this.store.ids()) {
      const s = await this.store.get(id);
      if (!s || s.state !== 'running') continue;
      this.anyRunning = true;
      const claim = await this.claim(id);
      if (claim) {
        await this.work(claim.state, claim.start, claim.end);
        return true;
      }
    }
    return false;
  }

  private async claim(id: string): Promise<{ state: CampaignState; start: number; end: number } | undefined> {
    const now = this.clock.now();
    let mine: { start: number; end: number } | undefined;
    const state = await this.store.update(id, (s) => {
      mine = undefined;
      if (s.state !== 'running') return s;
      const lapsed = Object.entries(s.claims).find(([, c]) => c.until < now);
      if (lapsed) {
        mine = { start: Number(lapsed[0]), end: lapsed[1].end };
        return { ...s, claims: { ...s.claims, [lapsed[0]]: { until: now + LEASE_MS, node: this.node, end: lapsed[1].end } } };
      }
      if (s.next >= s.total) return s;
      const end = Math.min(s.total, s.next + CHUNK);
      mine = { start: s.next, end };
      return { ...s, next: end, claims: { ...s.claims, [String(s.next)]: { until: now + LEASE_MS, node: this.node, end } } };
    });
    return mine ? { state, ...mine } : undefined;
  }

  private async work(s: CampaignState, start: number, end: number): Promise<void> {
    const [recipients, parts] = await Promise.all([this.store.recipients(s.id), this.store.parts(s.id)]);
    const chunk = recipients.slice(start, end);
    let offset = start;
    let deferred: CampaignDeferred | undefined;
    const { outcomes } = await runCampaign(chunk, async (batch) => {
      const at = offset;
      offset += batch.length;
      if (deferred) return { accepted: false, status: 'deferred' };
      try {
        return await submitCampaignBatch(this.mmsc, s, parts, batch, at);
      } catch (error) {
        if (!(error instanceof CampaignDeferred)) throw error;
        deferred = error;
        return { accepted: false, status: 'deferred' };
      }
    }, { batch: s.batch, concurrency: 1 });
    if (deferred) {
      // Try the chunk again later; batches the kernel took are answered again by their retransmission key.
      const until = this.clock.now() + (deferred.retryAfterMs ?? 1000);
      await this.store.update(s.id, (c) => (c.claims[String(start)] ? { ...c, claims: { ...c.claims, [String(start)]: { ...c.claims[String(start)]!, until } } } : c));
      this.log.info({ campaign: s.id, reason: deferred.message }, 'console: campaign chunk deferred by the kernel');
      return;
    }
    await this.store.saveOutcomes(s.id, start, outcomes);
    const accepted = outcomes.filter((o) => o.accepted).length;
    const now = this.clock.now();
    const after = await this.store.update(s.id, (c) => {
      if (!c.claims[String(start)]) return c; // taken over and finished by another node meanwhile
      const { [String(start)]: _done, ...claims } = c.claims;
      const done = c.done + outcomes.length;
      const finished = c.state === 'running' && done >= c.total && Object.keys(claims).length === 0;
      return { ...c, claims, done, accepted: c.accepted + accepted, rejected: c.rejected + outcomes.length - accepted, ...(finished ? { state: 'done' as const, finishedAt: now } : {}) };
    });
    if (after.state === 'done' && after.finishedAt === now) this.log.info({ campaign: s.id, accepted: after.accepted, rejected: after.rejected }, 'console: campaign finished');
  }
}
