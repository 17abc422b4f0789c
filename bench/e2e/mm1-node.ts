// What an MM1 node of the benchmarks runs: every +1555 number local, MM1, and push-smpp bound to
// the load process's simulated SMSC. bench/e2e and bench/scale start the same node.
import type { KernelConfigInput } from '@openmmsc/core';
import mm1 from '@openmmsc/plugin-mm1';
import pushSmpp from '@openmmsc/plugin-push-smpp';
import routerPrefix from '@openmmsc/plugin-router-prefix';

export function mm1NodePlugins(smsc: { port: number; systemId: string; window: number }) {
  return [
    { plugin: routerPrefix, options: { routes: [{ prefix: '+1555', target: 'local' }], unmatched: 'reject' } },
    { plugin: mm1, options: { port: 0, limits: { maxMessageSize: '300KB' } } },
    {
      plugin: pushSmpp,
      options: {
        links: [{ host: '127.0.0.1', port: smsc.port, systemId: smsc.systemId, password: 'bench', window: smsc.window }],
        registeredDelivery: false,
      },
    },
  ];
}

/** Kernel settings every benchmark node shares. */
export const benchLimits: KernelConfigInput['limits'] = {
  // A few simulated handsets send thousands of messages each: far over a subscriber's hourly limit.
  senders: { enabled: false },
};
