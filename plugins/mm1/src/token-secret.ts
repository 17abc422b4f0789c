import type { KeyValueStore } from '@openmmsc/core';
import { TokenSigner } from './tokens.js';

const SECRET_KEY = 'secret';

/**
 * The key that signs MM1's tokens: the configured one, else one kept in the store for every
 * worker and node sharing it, made by whichever starts first. An atomic update, because two
 * starting together on a fresh store would otherwise each read nothing, each write their own,
 * and refuse each other's tokens (a handset's fetch landing on the other worker gets a 404).
 */
export async function tokenSecret(kv: Pick<KeyValueStore, 'update'>, configured?: string): Promise<string> {
  return configured ?? (await kv.update<string>(SECRET_KEY, (current) => current ?? TokenSigner.newSecret()));
}
