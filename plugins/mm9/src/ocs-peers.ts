import type { PluginContext } from '@openmmsc/core';
import type { Mm9Options } from './options.js';
import { PeerPool } from './peer-pool.js';

/** The OCS peers of the options, as one pool with this node's Diameter identity. */
export function createOcsPeers(o: Mm9Options, log: PluginContext<unknown>['log']): PeerPool {
  return new PeerPool(
    o.peers.map((p) => ({ host: p.host, port: p.port, name: p.name ?? `${p.host}:${p.port}` })),
    {
      originHost: o.originHost,
      originRealm: o.originRealm,
      hostIpAddress: o.hostIpAddress,
      productName: o.productName,
      vendorId: 0,
      originStateId: Math.floor(Date.now() / 1000) >>> 0,
    },
    {
      connectTimeoutMs: o.timeouts.connectMs,
      watchdogIntervalMs: o.timeouts.watchdogMs,
      reconnectMinMs: o.timeouts.reconnectMinMs,
      reconnectMaxMs: o.timeouts.reconnectMaxMs,
    },
    log,
  );
}
