import type Keyv from 'keyv';
import type KeyvRedis from '@keyv/redis';
import { createKeyv } from '@keyv/redis';
import type { AtomicUpdate } from './keyv-message-store.js';
import { prepareKeyv } from './keyv-message-store.js';
import { decodeValue, encodeValue } from './value-codec.js';

// Writes NEW only if the key still holds EXPECTED (an empty EXPECTED means "absent").
const CAS_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if (cur == false and ARGV[1] == '') or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0`;

export interface RedisKeyv {
  keyv: Keyv;
  atomic: AtomicUpdate;
}

/** A keyv over Redis whose keys all start with `prefix`, plus cluster-safe read-modify-write. */
export async function openRedisKeyv(url: string, prefix: string): Promise<RedisKeyv> {
  const keyv = prepareKeyv(createKeyv(url, { namespace: prefix, throwOnConnectError: true, throwOnErrors: true }));
  const adapter = keyv.store as KeyvRedis<unknown>;
  await adapter.getClient();
  const atomic: AtomicUpdate = {
    async modify<T>(key: string, fn: (current: T | undefined) => T): Promise<T> {
      const client = await adapter.getClient();
      const fullKey = adapter.createKeyPrefix(key, adapter.namespace);
      // Optimistic: another node may write between GET and the script; then read again.
      for (let round = 0; round < 100; round++) {
        const raw = await client.get(fullKey);
        const current = typeof raw === 'string' ? decodeValue<{ value?: T }>(raw).value : undefined;
        const next = fn(current);
        const encoded = encodeValue({ value: next });
        const done = await client.eval(CAS_SCRIPT, { keys: [fullKey], arguments: [typeof raw === 'string' ? raw : '', encoded] });
        if (done === 1) return next;
      }
      throw new Error(`too much contention updating ${key}`);
    },
  };
  return { keyv, atomic };
}
