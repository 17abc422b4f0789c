import { definePackagedPlugin, ingressDeps, pluginManifest, provideClientInterface, mergeLimits, type MmscRuntime } from '@openmmsc/core';
import type { FastifyInstance } from 'fastify';
import { Applications } from './applications.js';
import { EAIF_INTERFACE, EaifInbound } from './inbound.js';
import { createEaifMetrics } from './metrics.js';
import { eaifOptions } from './options.js';
import { EAIF_TARGET, EaifOutbound } from './outbound.js';
import { buildServer } from './server.js';

export { eaifOptions, applicationOptions, type EaifOptions, type ApplicationOptions } from './options.js';
export { EAIF_HEADER, MMS_MESSAGE, type EaifMessageType, type ChargedParty, type SubmissionHeaders } from './eaif-headers.js';
export { REFUSAL_STATUS, type EaifAnswer } from './answers.js';
export { EAIF_INTERFACE } from './inbound.js';
export { EAIF_TARGET } from './outbound.js';
export type { PostOutcome } from './http-post.js';

/** What the EAIF plugin exposes to tests and embedders (`mmsc.plugin('@openmmsc/plugin-eaif')`). */
export interface EaifExposed {
  /** The URL (`http://127.0.0.1:PORT/eaif`) applications POST to, while listening. */
  readonly url: string | undefined;
}
declare module '@openmmsc/core' {
  interface PluginExposures {
    '@openmmsc/plugin-eaif': EaifExposed;
  }
}

/** The URL (`http://127.0.0.1:PORT/eaif`) applications POST to in a running MMSC (useful with port 0). */
export function eaifUrl(mmsc: MmscRuntime): string | undefined {
  return mmsc.plugin('@openmmsc/plugin-eaif')?.url;
}

/**
 * Nokia's External Application Interface: applications POST m-send-req PDUs with X-NOKIA-MMSC-*
 * headers; messages to their short codes and the reports they asked for are POSTed back to them.
 */
export default definePackagedPlugin(pluginManifest(import.meta.url), {
  description: 'Nokia EAIF: MMS PDUs over HTTP POST for value-added applications, both directions',
  configSchema: eaifOptions,
  setup(ctx) {
    const options = ctx.options;
    const now = () => ctx.clock.now();
    const parse = (raw: string) => ctx.mmsc.parseAddress(raw);
    const apps = new Applications(options.applications, parse, now);
    const metrics = createEaifMetrics(ctx.metrics);
    const deps = ingressDeps(ctx, metrics);
    const inbound = new EaifInbound({ ...deps, apps });
    const outbound = new EaifOutbound({ apps, version: options.version, log: ctx.log, metrics });

    provideClientInterface(ctx, { target: EAIF_TARGET, interface: EAIF_INTERFACE, owner: (address) => apps.owner(address), deliver: (request) => outbound.deliver(request), sendReport: (report, message, signal) => outbound.sendReport(report, message, signal) });

    let server: FastifyInstance | undefined;
    let listening: string | undefined;
    ctx.expose({ get url() { return listening; } } satisfies EaifExposed);
    return {
      async start() {
        server = buildServer(options, inbound, {
          log: ctx.log,
          metrics,
          limits: mergeLimits(ctx.config.listeners.http, options.listener),
          registry: ctx.metrics,
          admit: (iface) => ctx.mmsc.admit(iface),
        });
        const base = await server.listen({ host: options.host, port: options.port });
        const url = `${base}${options.path}`;
        listening = url;
        ctx.log.info({ url, applications: apps.all.length }, 'EAIF server listening');
      },
      async stop() {
        await server?.close();
        server = undefined;
        listening = undefined;
      },
      ready() {
        return server ? true : 'EAIF server not listening';
      },
    };
  },
});
