import type { AddressInfo } from 'node:net';
import { definePackagedPlugin, pluginManifest, type MmscRuntime } from '@openmmsc/core';
import type { FastifyInstance } from 'fastify';
import { mm1Facts } from './facts.js';
import { MM1_INTERFACE, Mm1 } from './mm1.js';
import { notify } from './notify.js';
import { mm1Options } from './options.js';
import { sendReport } from './reports.js';
import { buildServer } from './server.js';
import { tokenSecret } from './token-secret.js';

export { mm1Options, type Mm1Options, type Mm1OptionsInput } from './options.js';
export { REASON_STATUS, responseStatusFor, vocabularyFor, type StatusVocabulary } from './status.js';
export { TokenSigner } from './tokens.js';
export { MM1_INTERFACE } from './mm1.js';
export { RETRY_AFTER_SECONDS } from './post.js';
export { retrieveConf } from './convert.js';

/** What the MM1 plugin exposes to tests and embedders (`mmsc.plugin('@openmmsc/plugin-mm1')`). */
export type Mm1Exposed = Pick<Mm1, 'baseUrl' | 'subscribers' | 'now'>;
declare module '@openmmsc/core' {
  interface PluginExposures {
    '@openmmsc/plugin-mm1': Mm1Exposed;
  }
}

/**
 * The URL handsets reach the MM1 server of a running MMSC at (`publicUrl`, or the listening
 * address), once it is started: for tests and embedders that listen on port 0.
 */
export function mm1Url(mmsc: MmscRuntime): string | undefined {
  return mmsc.plugin('@openmmsc/plugin-mm1')?.baseUrl;
}

/** Marks a subscriber as (not) able to do MMS: `false` sends them text SMS with web links. */
export async function setMmsCapable(mmsc: MmscRuntime, msisdn: string, capable: boolean): Promise<void> {
  const mm1 = mmsc.plugin('@openmmsc/plugin-mm1');
  if (!mm1) throw new Error('no MM1 plugin runs in this MMSC');
  await mm1.subscribers.setMmsCapable(msisdn, capable, mm1.now());
}

/** MM1: handsets send (m-send-req), fetch (GET), acknowledge and report over HTTP. */
export default definePackagedPlugin(pluginManifest(import.meta.url), {
  description: 'MM1 interface: MMS from and to handsets over HTTP and WAP Push',
  configSchema: mm1Options,
  facts: mm1Facts,
  async setup(ctx) {
    const secret = await tokenSecret(ctx.kv, ctx.options.secret);
    const mm1 = new Mm1(ctx, secret);
    ctx.expose(mm1 satisfies Mm1Exposed);
    ctx.provide('ReportSender', { interface: MM1_INTERFACE, send: (report, message, signal) => sendReport(mm1, report, message, signal) });
    let app: FastifyInstance | undefined;

    return {
      notify: (n) => notify(mm1, n),
      async start() {
        const server = buildServer(mm1, {
          host: ctx.options.host,
          port: ctx.options.port,
          bodyLimit: ctx.options.limits.maxBody,
          log: ctx.log,
        });
        await server.listen({ host: ctx.options.host, port: ctx.options.port });
        app = server;
        const address = server.server.address() as AddressInfo;
        const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        const listening = `http://${host}:${address.port}`;
        const publicHost = address.address === '0.0.0.0' || address.address === '::' ? `127.0.0.1:${address.port}` : `${host}:${address.port}`;
        mm1.baseUrl = (ctx.options.publicUrl ?? `http://${publicHost}`).replace(/\/+$/, '');
        ctx.log.info({ listening, publicUrl: mm1.baseUrl }, `MM1 listening on ${listening} (handsets use ${mm1.baseUrl})`);
      },
      // Stopping takes no new messages, but handsets this node notified still fetch and
      // acknowledge: the listener stays open until `close`, after the kernel's retrieval grace.
      stop() {
        mm1.draining = true;
      },
      async close() {
        await app?.close();
        app = undefined;
      },
      ready() {
        if (mm1.draining) return 'MM1 is stopping: no new messages taken';
        return app ? true : 'MM1 server not listening';
      },
    };
  },
});
