import { definePackagedPlugin, pluginManifest, threadCount, type MmscRuntime } from '@openmmsc/core';
import { Counter } from 'prom-client';
import { MM3_INTERFACE, Mm3 } from './mm3.js';
import { Mailer } from './mailer.js';
import { mm3Options } from './options.js';
import { MailReader } from './reading/mail-reader.js';
import { readMail } from './reading/mail-reading.js';

export { mm3Options, type Mm3Options, type Mm3OptionsInput, DEFAULT_BLOCKED_EXTENSIONS } from './options.js';
export { MM3_INTERFACE, type Mm3Stats } from './mm3.js';
/** The SMTP reply for a kernel reason (from `@openmmsc/smtp`, shared with MM4). */
export { smtpReplyFor as smtpFor } from '@openmmsc/smtp';
export { mmsToEmail, senderEmail } from './to-email.js';
export { emailToParts, executableReason } from './from-email.js';
export { buildBounce, type BounceSpec } from './bounce.js';

/** What the MM3 plugin exposes to tests and embedders (`mmsc.plugin('@openmmsc/plugin-mm3')`). */
export type Mm3Exposed = Pick<Mm3, 'port' | 'stats'>;
declare module '@openmmsc/core' {
  interface PluginExposures {
    '@openmmsc/plugin-mm3': Mm3Exposed;
  }
}

/** The MM3 SMTP server's port in a running MMSC (for tests and embedders using port 0). */
export function mm3Port(mmsc: MmscRuntime): number | undefined {
  return mmsc.plugin('@openmmsc/plugin-mm3')?.port;
}

/** Counters of a running MMSC's MM3 plugin. */
export function mm3Stats(mmsc: MmscRuntime) {
  return mmsc.plugin('@openmmsc/plugin-mm3')?.stats;
}

/** MM3: MMS to e-mail and e-mail to MMS over SMTP, with bounces. */
export default definePackagedPlugin(pluginManifest(import.meta.url), {
  description: 'MM3 interface: MMS as e-mail, e-mail as MMS, bounces',
  configSchema: mm3Options,
  facts: () => ({ provides: ['ReportSender'], delivers: ['mm3'] }),
  setup(ctx) {
    const mailer = new Mailer(ctx.options, ctx.baseDir, () => ctx.clock.now());
    const decodeWarnings = new Counter({
      name: 'openmmsc_mm3_decode_warnings_total',
      help: 'Deviations read past in inbound mail (see the log for which)',
      registers: [ctx.metrics],
    });
    // The server listens only once the reader has started (and stops before it closes).
    let reader: MailReader | undefined;
    const mm3 = new Mm3(
      {
        name: ctx.name,
        mmsc: ctx.mmsc,
        log: ctx.log,
        now: () => ctx.clock.now(),
        baseDir: ctx.baseDir,
        smtpLimits: ctx.config.listeners.smtp,
        metrics: ctx.metrics,
        countDecodeWarnings: (n) => decodeWarnings.inc(n),
        // Before start and after stop (a mail still being handled), read on the loop.
        readMail: async (raw) => (reader ? reader.read(raw) : readMail(raw, ctx.options)),
      },
      ctx.options,
      mailer,
    );
    ctx.expose(mm3 satisfies Mm3Exposed);
    ctx.provide('Deliverer', { target: 'mm3', deliver: (request) => mm3.deliver(request) });
    ctx.provide('ReportSender', { interface: MM3_INTERFACE, send: (report, message) => mm3.sendReport(report, message) });
    return {
      async start() {
        if (!ctx.options.server.enabled) return;
        reader = await MailReader.start(ctx.options, threadCount(ctx.options.decodeThreads, ctx.worker));
        await mm3.start();
        ctx.log.info({ listening: mm3.address, domain: ctx.options.domain }, `MM3 listening on ${mm3.address} for <msisdn>@${ctx.options.domain}`);
      },
      async stop() {
        await mm3.stop();
        await reader?.close();
        reader = undefined;
      },
      async close() {
        await mailer.close();
      },
      ready() {
        return !ctx.options.server.enabled || mm3.listening ? true : 'MM3 server not listening';
      },
    };
  },
});
