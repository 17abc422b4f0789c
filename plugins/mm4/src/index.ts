import { definePackagedPlugin, linkTracker, pluginManifest, threadCount, type MmscRuntime } from '@openmmsc/core';
import { ContentReader } from './content-reading/content-reader.js';
import { parseContent } from './mime.js';
import { Counter } from 'prom-client';
import { MM4_INTERFACE, Mm4 } from './mm4.js';
import { mm4Options } from './options.js';
import { Mm4Server } from './server.js';
import { PeerTransports } from './transport.js';

export { mm4Options, type Mm4Options, type Mm4OptionsInput, type PeerOptions } from './options.js';
export { MM4_INTERFACE, type Mm4Stats } from './mm4.js';
export { originatorOwnership, inNumberRanges, domainBelongs, type Ownership } from './peer-trust.js';
export {
  MM4_TYPES,
  REQUEST_STATUS_FOR,
  MM_STATUS_FOR,
  READ_STATUS_FOR,
  mm4Address,
  parseMm4Address,
  readEnvelope,
  deliveryStatusFor,
  readStatusFor,
  type Mm4Type,
  type Mm4Envelope,
  type RequestStatus,
  type MmStatus,
} from './protocol.js';
export {
  parseMail,
  parseHead,
  parseContent,
  writeMail,
  encodeWords,
  decodeWords,
  bareId,
  MimeError,
  header,
  type MailHead,
  type ParsedMail,
  type HeaderList,
  type MimeLimits,
} from './mime.js';

/** What the MM4 plugin exposes to tests and embedders (`mmsc.plugin('@openmmsc/plugin-mm4')`). */
export interface Mm4Exposed {
  readonly mm4: Mm4;
  /** Set once the server listens (`options.server.enabled`). */
  readonly server: Mm4Server | undefined;
}
declare module '@openmmsc/core' {
  interface PluginExposures {
    '@openmmsc/plugin-mm4': Mm4Exposed;
  }
}

/** Where the MM4 server of a running MMSC listens (`host:port`), once started: for tests and embedders using port 0. */
export function mm4ServerAddress(mmsc: MmscRuntime): string | undefined {
  return mmsc.plugin('@openmmsc/plugin-mm4')?.server?.address;
}

/** The MM4 server's port in a running MMSC. */
export function mm4Port(mmsc: MmscRuntime): number | undefined {
  return mmsc.plugin('@openmmsc/plugin-mm4')?.server?.port;
}

/** Counters of a running MMSC's MM4 plugin. */
export function mm4Stats(mmsc: MmscRuntime) {
  return mmsc.plugin('@openmmsc/plugin-mm4')?.mm4.stats;
}

/** MM4: inter-MMSC messaging over SMTP (3GPP TS 23.140 §8.4). */
export default definePackagedPlugin(pluginManifest(import.meta.url), {
  description: 'MM4 interface: MMS to and from other operators’ MMSCs over SMTP, with delivery and read-reply reports',
  configSchema: mm4Options,
  facts: () => ({ provides: ['ReportSender'], delivers: ['mm4'] }),
  setup(ctx) {
    const options = ctx.options;
    const transports = new PeerTransports(options, ctx.baseDir, () => ctx.clock.now(), linkTracker(ctx.metrics, 'mm4-peer', () => ctx.clock.now()));
    const decodeWarnings = new Counter({
      name: 'openmmsc_mm4_decode_warnings_total',
      help: 'Deviations read past in inbound MM4 messages (see the log for which)',
      registers: [ctx.metrics],
    });
    // The server listens only once the reader has started (and stops before it closes).
    let reader: ContentReader | undefined;
    const mm4 = new Mm4(
      {
        name: ctx.name,
        mmsc: ctx.mmsc,
        kv: ctx.kv,
        jobs: ctx.jobs,
        log: ctx.log,
        now: () => ctx.clock.now(),
        countDecodeWarnings: (n) => decodeWarnings.inc(n),
        // Before start and after stop (a message still being handled), read on the loop.
        readContent: async (head, limits) => (reader ? reader.read(head, limits) : parseContent(head, limits)),
      },
      options,
      transports,
    );
    const messages = new Counter({
      name: 'openmmsc_mm4_messages_total',
      help: 'MM4 messages by direction and type',
      labelNames: ['direction', 'type', 'outcome'] as const,
      registers: [ctx.metrics],
    });
    const state: { mm4: Mm4; server: Mm4Server | undefined } = { mm4, server: undefined };
    ctx.expose(state satisfies Mm4Exposed);

    ctx.provide('Deliverer', {
      target: 'mm4',
      async deliver(request) {
        const result = await mm4.deliver(request);
        messages.inc({ direction: 'out', type: 'MM4_forward.REQ', outcome: result.status });
        return result;
      },
    });
    ctx.provide('ReportSender', {
      interface: MM4_INTERFACE,
      async send(report, message) {
        await mm4.sendReport(report, message);
        messages.inc({ direction: 'out', type: report.kind === 'delivery' ? 'MM4_delivery_report.REQ' : 'MM4_read_reply_report.REQ', outcome: 'sent' });
      },
    });

    return {
      async start() {
        if (!options.server.enabled) return;
        reader = await ContentReader.start(threadCount(options.decodeThreads, ctx.worker));
        const server = new Mm4Server(options, ctx.baseDir, ctx.log, async (mail) => {
          try {
            const reply = await mm4.handleInbound(mail);
            messages.inc({ direction: 'in', type: 'any', outcome: 'accepted' });
            return reply;
          } catch (error) {
            // The listener logs what is not an SMTP refusal, and answers it 451.
            messages.inc({ direction: 'in', type: 'any', outcome: 'refused' });
            throw error;
          }
        }, { limits: ctx.config.listeners.smtp, metrics: ctx.metrics, admit: (iface) => ctx.mmsc.admit(iface) });
        await server.start();
        state.server = server;
        ctx.log.info({ listening: server.address, domain: options.domain }, `MM4 listening on ${server.address} for ${options.domain}`);
      },
      async stop() {
        await state.server?.stop();
        state.server = undefined;
        await reader?.close();
        reader = undefined;
      },
      async close() {
        await mm4.drain(2000);
        await transports.close();
      },
      ready() {
        return !options.server.enabled || state.server ? true : 'MM4 server not listening';
      },
    };
  },
});
