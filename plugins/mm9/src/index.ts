import { definePackagedPlugin, pluginManifest, reportLink } from '@openmmsc/core';
import { Gauge } from 'prom-client';
import { createAuthorize } from './authorize.js';
import { CreditControl } from './credit-control.js';
import { createOcsPeers } from './ocs-peers.js';
import { mm9Options } from './options.js';
import { PendingCharges } from './pending-charges.js';
import { createRecord } from './record-events.js';
import { Settlements } from './settlements.js';

export { mm9Options, type Mm9Options, type AvpTemplate } from './options.js';
export { DEFAULT_SERVICE_INFORMATION, renderTemplates, type TemplateVars } from './template.js';
export { PeerPool, OcsUnreachableError } from './peer-pool.js';
export { DiameterPeer, type PeerState, type PeerConfig, type LocalIdentity, type PeerTimings } from './peer.js';
export { CreditControl, type CcrInput, type CcrResult } from './credit-control.js';

/**
 * MM9 online charging: Diameter Ro credit control (RFC 4006 / TS 32.299) against one or more
 * OCS peers, as a `ChargingBackend`. Event mode debits at submission; session mode reserves at
 * submission and commits or releases as recipients reach their final states. Settling requests
 * the OCS does not answer are durable jobs, retried with back-off across restarts.
 */
export default definePackagedPlugin(pluginManifest(import.meta.url), {
  description: 'MM9 online charging: Diameter Ro credit control (prepaid)',
  configSchema: mm9Options,
  setup(ctx) {
    const o = ctx.options;
    const pool = createOcsPeers(o, ctx.log);
    const cc = new CreditControl(pool, o, ctx.log, ctx.metrics);
    new Gauge({
      name: 'openmmsc_mm9_peers_open',
      help: 'OCS peers with an open Diameter connection',
      registers: [ctx.metrics],
      // Each worker of a node connects on its own: a peer counts when every worker has it open.
      aggregator: 'min',
      collect() {
        this.set(pool.openPeers().length);
      },
    });
    // Each OCS peer as a link: up when open (CER/CEA done), degraded while a watchdog goes unanswered.
    for (const peer of pool.peers) {
      reportLink(ctx.metrics, 'ocs', peer.config.name, () => (peer.state !== 'open' ? 0 : peer.suspect ? 0.5 : 1), () =>
        peer.state === 'open' ? (peer.suspect ? 'watchdog unanswered' : `open to ${peer.remoteHost ?? '?'}`) : `${peer.state}${peer.lastFailure ? `; ${peer.lastFailure}` : ''}`,
      );
    }
    const settlements = new Settlements(ctx, o, cc);
    const pending = new PendingCharges(settlements, o.timeouts.orphanMs, ctx.log);
    ctx.provide('ChargingBackend', { name: ctx.name, authorize: createAuthorize(o, cc, pending, ctx.log), record: createRecord(o, settlements, pending, ctx.mmsc) });

    return {
      start() {
        pool.start();
      },
      ready() {
        // Fail-open deployments keep taking traffic without an OCS; the others are not ready.
        if (pool.openPeers().length > 0 || o.onUnreachable === 'accept') return true;
        return `no OCS peer open (${pool.peers.map((p) => `${p.config.name}: ${p.state}`).join(', ')})`;
      },
      async close() {
        pending.close();
        await pool.stop();
      },
    };
  },
});
