import { after, before } from 'node:test';
import { recordingPushBearer, routeAllTo, startRedis, startTestMmsc, type RedisServer, type TestMmsc } from '@openmmsc/testkit';
import consolePlugin, { type ConsoleOptionsInput } from '../src/index.js';
import { testAccounts } from './rig.js';

/**
 * Registers, in the calling `describe`, two MMSC nodes with the console sharing one Redis (store,
 * queue and the console's key/value space); the array fills in `before` and empties in `after`.
 */
export function twoNodesOnRedis(ids: [string, string], prefix: string, console: Partial<ConsoleOptionsInput>): TestMmsc[] {
  let redis: RedisServer | undefined;
  const nodes: TestMmsc[] = [];
  before(async () => {
    redis = await startRedis();
    const accounts = await testAccounts();
    for (const id of ids) {
      nodes.push(
        await startTestMmsc({
          plugins: [routeAllTo('local'), recordingPushBearer().plugin, { plugin: consolePlugin, options: { accounts, ...console } }],
          config: { store: { type: 'redis', url: redis.url, prefix }, node: { id } },
        }),
      );
    }
  });
  after(async () => {
    for (const n of nodes) await n.stop().catch(() => undefined);
    await redis?.stop();
  });
  return nodes;
}
