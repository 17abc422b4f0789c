import { definePlugin, type PluginDefinition, type PushBearer } from '@openmmsc/core';
import { serviceProvider } from './service-provider.js';

/** A routing resolver for which numbers starting with `prefix` (`+1555…` by default) are this MMSC's own subscribers. */
export function localSubscribers(prefix = '+1555', name = 'test-local-phones'): PluginDefinition {
  return serviceProvider(name, 'RoutingResolver', () => ({
    name,
    resolve: async (a) => (a.type === 'plmn' && a.value.startsWith(prefix) ? { kind: 'route', route: { target: 'local' } } : undefined),
  }));
}

/** Exposes the push bearer the kernel chose to a test: `bearer()` answers once the MMSC has started. */
export function pushBearerProbe(name = 'test-bearer-probe') {
  let found: PushBearer | undefined;
  const plugin = definePlugin({
    name,
    version: '0.0.0',
    apiVersion: '^1.0.0',
    setup(ctx) {
      return {
        start() {
          found = ctx.service('PushBearer');
        },
      };
    },
  });
  return {
    plugin,
    bearer(): PushBearer {
      if (!found) throw new Error('no push bearer (is the MMSC started, and one configured?)');
      return found;
    },
  };
}

/** Job retries fast enough for a test to watch a notification be retried (50 ms, doubling to 400 ms, no jitter). */
export const fastNotifyRetries = {
  jobs: { notify: { backoffBase: 50, backoffMax: 400, maxAttempts: 40, jitter: 0 } },
} as const;
