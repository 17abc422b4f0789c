import type { KeyValueStore, MmsPart } from '@openmmsc/core';
import type { RecipientOutcome } from '@openmmsc/campaign';

export type CampaignStateName = 'running' | 'done' | 'cancelled';

/** A campaign as the shared store keeps it: every node may work on it, and a restart resumes it. */
export interface CampaignState {
  id: string;
  name: string;
  createdBy: string;
  createdAt: number;
  from: string;
  subject?: string;
  total: number;
  /** Recipients per submission. */
  batch: number;
  state: CampaignStateName;
  /** First recipient not yet handed to a node. */
  next: number;
  /** Chunks being worked on: start index → lease. An expired lease is taken over by any node. */
  claims: Record<string, { until: number; node: string; end: number }>;
  done: number;
  accepted: number;
  rejected: number;
  finishedAt?: number;
}

/** Recipients one node takes at a time. */
export const CHUNK = 10;
/** How long a node may hold a chunk before another takes it over (it would have died). */
export const LEASE_MS = 60_000;
const LIST = 'campaigns';
const MAX_LISTED = 100;

/** The campaign records in the plugin's key/value space. */
export class CampaignStore {
  constructor(private readonly kv: KeyValueStore) {}

  async create(state: CampaignState, recipients: readonly string[], parts: readonly MmsPart[]): Promise<void> {
    await this.kv.set(`campaign:${state.id}:recipients`, recipients);
    await this.kv.set(`campaign:${state.id}:parts`, parts);
    await this.kv.set(`campaign:${state.id}`, state);
    await this.kv.update<string[]>(LIST, (ids) => [state.id, ...(ids ?? [])].slice(0, MAX_LISTED));
  }

  ids(): Promise<string[]> {
    return this.kv.get<string[]>(LIST).then((ids) => ids ?? []);
  }

  get(id: string): Promise<CampaignState | undefined> {
    return this.kv.get<CampaignState>(`campaign:${id}`);
  }

  update(id: string, fn: (s: CampaignState) => CampaignState): Promise<CampaignState> {
    return this.kv.update<CampaignState>(`campaign:${id}`, (s) => {
      if (!s) throw new Error(`no campaign ${id}`);
      return fn(s);
    });
  }

  async recipients(id: string): Promise<string[]> {
    return (await this.kv.get<string[]>(`campaign:${id}:recipients`)) ?? [];
  }

  async parts(id: string): Promise<MmsPart[]> {
    return (await this.kv.get<MmsPart[]>(`campaign:${id}:parts`)) ?? [];
  }

  saveOutcomes(id: string, start: number, outcomes: readonly RecipientOutcome[]): Promise<void> {
    return this.kv.set(`campaign:${id}:out:${start}`, outcomes);
  }

  /** Every recipient's outcome so far, in list order (chunks not finished yet are absent). */
  async outcomes(s: CampaignState): Promise<RecipientOutcome[]> {
    const out: RecipientOutcome[] = [];
    for (let start = 0; start < s.next; start += CHUNK) {
      if (s.claims[String(start)]) continue;
      out.push(...((await this.kv.get<RecipientOutcome[]>(`campaign:${s.id}:out:${start}`)) ?? []));
    }
    return out;
  }
}
