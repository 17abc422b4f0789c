import { definePlugin, threadCount, ingressDeps, linkTracker, pluginIdentity, provideClientInterface, mergeLimits, type MmscRuntime } from '@openmmsc/core';
import { decodeMm7 } from '@openmmsc/mm7';
import type { FastifyInstance } from 'fastify';
import { Accounts } from './accounts.js';
import { mm7Facts } from './facts.js';
import { SendApi } from './api.js';
import { createMm7Metrics } from './metrics.js';
import { decodeLimits } from './decoding/decode-limits.js';
import { Mm7Decoder } from './decoding/mm7-decoder.js';
import { Mm7Service } from './mm7-service.js';
import { mm7Options } from './options.js';
import { Outbound } from './outbound.js';
import { buildServer } from './server.js';

export { mm7Options, vaspOptions, dialectOptions, type Mm7Options, type VaspOptions, type DialectOptions } from './options.js';
export { webhookSignature } from './outbound.js';
export { sendRequest, type SendRequest } from './api.js';

/** The MM7 route target; `route.destination` is the VASPID. */
export const MM7_TARGET = 'mm7';

/**
 * MM7 for OpenMMSC: VASPs submit, cancel and replace over SOAP (every release from
 * REL-5-MM7-1-0 to REL-6-MM7-1-4); MO messages to their short codes and the reports they asked
 * for go back to them as DeliverReq, DeliveryReportReq and ReadReplyReq (or JSON webhooks).
 */
export default definePlugin({
  ...pluginIdentity(import.meta.url),
  apiVersion: '^1.0.0',
  description: 'MM7 (SOAP) server and client for value-added service providers, plus a plain HTTP send API',
  configSchema: mm7Options,
  facts: mm7Facts,
  setup(ctx) {
    const options = ctx.options;
    const needsCertificates = options.vasps.filter((v) => v.clientCertificate).map((v) => v.id);
    if (needsCertificates.length && !options.tls?.requestCert) {
      throw new Error(`VASPs ${needsCertificates.join(', ')} must present a client certificate, but the server does not ask for one: set tls (cert, key, ca) with requestCert: true`);
    }
    const now = () => ctx.clock.now();
    const accounts = new Accounts(options.vasps, (raw) => ctx.mmsc.parseAddress(raw), now);
    const metrics = createMm7Metrics(ctx.metrics);
    const deps = ingressDeps(ctx, metrics);
    const limits = decodeLimits(options.limits);
    let decoder: Mm7Decoder | undefined;
    const mm7 = new Mm7Service({
      ...deps,
      accounts,
      // The server listens only once the decoder has started; a request still being answered
      // after it closed is read on the loop.
      decode: async (contentType, body) => (decoder ? decoder.decode(contentType, body) : decodeMm7(contentType, body, limits)),
    });
    const api = options.api.enabled ? new SendApi({ ...deps, accounts }) : undefined;
    const outbound = new Outbound({ name: ctx.name, accounts, relayServerId: options.relayServerId, log: ctx.log, now, links: linkTracker(ctx.metrics, 'vasp', now) });

    provideClientInterface(ctx, { target: MM7_TARGET, interface: 'mm7', owner: (address) => accounts.owner(address), deliver: (request) => outbound.deliver(request), sendReport: (report, message, signal) => outbound.sendReport(report, message, signal) });

    let server: FastifyInstance | undefined;
    let url: string | undefined;
    ctx.expose({ get baseUrl() { return server ? url : undefined; } } satisfies Mm7Exposed);
    return {
      async start() {
        decoder = await Mm7Decoder.start(limits, threadCount(options.decodeThreads, ctx.worker));
        server = buildServer(options, mm7, api, {
          log: ctx.log,
          requests: metrics.requests,
          limits: mergeLimits(ctx.config.listeners.http, options.listener),
          tls: options.tls ? { config: options.tls, baseDir: ctx.baseDir } : undefined,
          metrics: ctx.metrics,
          admit: (iface) => ctx.mmsc.admit(iface),
        });
        const address = await server.listen({ host: options.host, port: options.port });
        url = address;
        ctx.log.info({ url: `${address}${options.path}`, api: options.api.enabled ? `${address}${options.api.prefix}` : undefined, vasps: accounts.all.length }, 'MM7 server listening');
      },
      async stop() {
        await server?.close();
        server = undefined;
        await decoder?.close();
        decoder = undefined;
      },
      ready() {
        return server && url ? true : 'MM7 server not listening';
      },
    };
  },
});

/** What the MM7 plugin exposes to tests and embedders (`mmsc.plugin('@openmmsc/plugin-mm7')`). */
export interface Mm7Exposed {
  /** The base URL (`http://127.0.0.1:PORT`) the plugin listens on, while listening. */
  readonly baseUrl: string | undefined;
}
declare module '@openmmsc/core' {
  interface PluginExposures {
    '@openmmsc/plugin-mm7': Mm7Exposed;
  }
}

/** The base URL (`http://127.0.0.1:PORT`) the plugin listens on in a running MMSC (useful with port 0). */
export function mm7BaseUrl(mmsc: MmscRuntime): string | undefined {
  return mmsc.plugin('@openmmsc/plugin-mm7')?.baseUrl;
}
