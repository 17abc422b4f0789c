import type { PluginInput } from '@openmmsc/core';
import { recordingPushBearer, routeAllTo, startTestMmsc, type TestMmsc } from '@openmmsc/testkit';

/**
 * Runs `body` on a test MMSC that routes every recipient to local handsets and records the push
 * notifications it sends (`more` plugins come after those two), and stops the MMSC afterwards.
 */
export async function withLocalMmsc(
  body: (t: TestMmsc, push: ReturnType<typeof recordingPushBearer>) => Promise<void>,
  more: readonly PluginInput[] = [],
): Promise<void> {
  const push = recordingPushBearer();
  const t = await startTestMmsc({ plugins: [routeAllTo('local'), push.plugin, ...more] });
  try {
    await body(t, push);
  } finally {
    await t.stop();
  }
}
