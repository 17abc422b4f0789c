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
  /**
   * Chunks whose outcomes are counted: every chunk starting below `countedBelow`, and those
   * starting at the indexes in `countedAbove` (a few: the chunks that finished ahead of a slower one).
   * A chunk run again (at-least-once jobs) is counted once.
   */
  countedBelow: number;
  countedAbove: number[];
  done: number;
  accepted: number;
  rejected: number;
  finishedAt?: number;
}

/** Recipients one job submits. */
export const CHUNK = 10;

/** Whether a chunk's outcomes are in the campaign's counts. */
export function isCounted(s: CampaignState, start: number): boolean {
  return start < s.countedBelow || s.countedAbove.includes(start);
}

/** The campaign with a chunk's outcomes counted (unchanged when they already are); done once all are. */
export function countChunk(s: CampaignState, start: number, outcomes: readonly RecipientOutcome[], now: number): CampaignState {
  if (isCounted(s, start)) return s;
  let below = s.countedBelow;
  const above = new Set([...s.countedAbove, start]);
  while (above.delete(below)) below += CHUNK;
  const accepted = outcomes.filter((o) => o.accepted).length;
  const done = s.done + outcomes.length;
  const finished = s.state === 'running' && done >= s.total;
  return {
    ...s,
    countedBelow: below,
    countedAbove: [...above].sort((a, b) => a - b),
    done,
    accepted: s.accepted + accepted,
    rejected: s.rejected + outcomes.length - accepted,
    ...(finished ? { state: 'done' as const, finishedAt: now } : {}),
  };
}
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
    for (let start = 0; start < s.total; start += CHUNK) {
      if (!isCounted(s, start)) continue;
      out.push(...((await this.kv.get<RecipientOutcome[]>(`campaign:${s.id}:out:${start}`)) ?? []));
    }
    return out;
  }
}
