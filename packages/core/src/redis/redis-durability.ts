import type { Cluster, Redis } from 'ioredis';
import type { DurabilityCheck } from '../services/message-store.js';
import { masters } from './redis-connection.js';


export type RedisDurability = 'always' | 'everysec' | 'none';

const WHAT: Record<RedisDurability, string> = {
  always: 'acknowledged messages survive a crash of Redis or of its machine',
  everysec: 'acknowledged messages survive a crash of Redis; up to ~1 s is lost if its machine dies',
  none: 'acknowledged messages since the last RDB save are lost if Redis dies',
};

/** The promise a server's persistence settings keep. */
export function keptPromise(appendonly: string, appendfsync: string): RedisDurability {
  if (appendonly !== 'yes') return 'none';
  return appendfsync === 'always' ? 'always' : appendfsync === 'everysec' ? 'everysec' : 'none';
}

const RANK: Record<RedisDurability, number> = { none: 0, everysec: 1, always: 2 };

/**
 * Asks each master for `appendonly` and `appendfsync` and says whether they keep `promised`.
 * Managed services often refuse CONFIG: that is reported as "could not be checked".
 */
export async function checkRedisDurability(client: Redis | Cluster, promised: RedisDurability): Promise<DurabilityCheck> {
  const found: string[] = [];
  let weakest: RedisDurability = 'always';
  for (const node of masters(client)) {
    let settings: string[];
    try {
      settings = (await node.config('GET', 'append*')) as string[];
    } catch (error) {
      return { ok: false, detail: `could not be checked (CONFIG GET refused: ${(error as Error).message}); durability ${promised} promises that ${WHAT[promised]}` };
    }
    const map = new Map<string, string>();
    for (let i = 0; i + 1 < settings.length; i += 2) map.set(settings[i]!, settings[i + 1]!);
    const appendonly = map.get('appendonly') ?? 'no';
    const appendfsync = map.get('appendfsync') ?? 'everysec';
    const kept = keptPromise(appendonly, appendfsync);
    if (RANK[kept] < RANK[weakest]) weakest = kept;
    found.push(`appendonly ${appendonly}, appendfsync ${appendfsync}`);
  }
  const servers = [...new Set(found)].join('; ');
  if (RANK[weakest] >= RANK[promised]) return { ok: true, detail: `durability ${promised} kept (${servers})` };
  return {
    ok: false,
    detail: `durability ${promised} asked but Redis has ${servers}: only ${WHAT[weakest]}` +
      (promised === 'always' ? ' (set appendonly yes, appendfsync always)' : ' (set appendonly yes, appendfsync everysec)'),
  };
}
