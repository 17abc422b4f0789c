import { resolve } from 'node:path';
import { definePackagedPlugin, pluginManifest } from '@openmmsc/core';
import { Counter } from 'prom-client';
import { CDR_FIELDS, csvHeader, toCdr, toCsvLine, toJsonLine, type Cdr } from './cdr.js';
import { HttpBatchWriter } from './http-writer.js';
import { mm8Options } from './options.js';
import { RotatingFileWriter } from './rotating-file.js';

export { mm8Options, type Mm8Options, type FileWriterOptions, type HttpWriterOptions } from './options.js';
export { toCdr, toCsvLine, toJsonLine, csvHeader, CDR_FIELDS, type Cdr, type CdrChargedParty } from './cdr.js';
export { RotatingFileWriter, recoverOpenFiles, type RotatingFileOptions } from './rotating-file.js';
export { HttpBatchWriter, type HttpBatchOptions } from './http-writer.js';

interface CdrSink {
  name: string;
  start(): Promise<void> | void;
  write(cdr: Cdr): Promise<void>;
  close(): Promise<void>;
  ready(): Promise<true | string> | true | string;
}

/**
 * MM8 offline charging: one CDR per billing event, with the TS 32.270 / 32.298 MMS record fields
 * the MMSC knows, to rotating CSV / JSON-lines files and/or HTTP batches, several at once.
 */
export default definePackagedPlugin(pluginManifest(import.meta.url), {
  description: 'MM8 offline charging: CDRs to rotating CSV/JSON-lines files and HTTP batches',
  configSchema: mm8Options,
  setup(ctx) {
    const events = new Set<string>(ctx.options.events);
    const written = new Counter({ name: 'openmmsc_mm8_cdrs_total', help: 'CDRs written, per writer', labelNames: ['writer'], registers: [ctx.metrics] });
    const failed = new Counter({ name: 'openmmsc_mm8_cdr_failures_total', help: 'CDRs a writer could not take', labelNames: ['writer'], registers: [ctx.metrics] });
    const dropped = new Counter({ name: 'openmmsc_mm8_http_dropped_total', help: 'CDRs dropped because the HTTP queue was full', labelNames: ['writer'], registers: [ctx.metrics] });

    const sinks: CdrSink[] = ctx.options.writers.map((w, i): CdrSink => {
      if (w.type === 'file') {
        const name = `file[${i}]:${w.format}`;
        const fields = w.fields ?? [...CDR_FIELDS];
        const file = new RotatingFileWriter({
          directory: resolve(ctx.baseDir, w.directory),
          prefix: w.prefix,
          extension: w.format,
          ...(w.format === 'csv' ? { header: csvHeader(fields) } : {}),
          maxBytes: w.maxSize,
          maxAgeMs: w.maxAge,
          sync: w.sync,
          now: () => ctx.clock.now(),
        });
        return {
          name,
          start: () => file.start(),
          write: (cdr) => file.append(w.format === 'csv' ? toCsvLine(cdr, fields) : toJsonLine(cdr)),
          close: () => file.close(),
          ready: async () => {
            try {
              await file.start();
              return true;
            } catch (error) {
              return `${name}: ${(error as Error).message}`;
            }
          },
        };
      }
      const name = `http[${i}]`;
      const http = new HttpBatchWriter({
        url: w.url,
        headers: w.headers,
        format: w.format,
        batchSize: w.batchSize,
        flushIntervalMs: w.flushInterval,
        timeoutMs: w.timeout,
        attempts: w.attempts,
        retryBaseMs: w.retryBase,
        maxQueue: w.maxQueue,
        onDrop: (n) => {
          dropped.inc({ writer: name }, n);
          ctx.log.error({ writer: name, dropped: n }, 'CDR queue full: oldest CDRs dropped');
        },
        onError: (error, attempt) => ctx.log.warn({ writer: name, err: error, attempt }, attempt ? 'CDR batch POST failed; will retry' : 'CDR batch could not be queued'),
      }, ctx.jobs, `http-batch-${i}`);
      return {
        name,
        start: () => http.start(),
        write: (cdr) => http.append(cdr),
        close: () => http.close(),
        ready: () => (http.pending < w.maxQueue ? true : `${name}: ${http.pending} CDRs waiting for ${w.url}`),
      };
    });

    ctx.provide('ChargingBackend', {
      name: ctx.name,
      async record(event) {
        if (events.size && !events.has(event.type)) return;
        // A message-level record lists the online-charging sessions the charge stage opened for
        // its recipients (MM9's Session-Ids), which the kernel keeps with each recipient.
        const recipients = event.recipient
          ? []
          : await ctx.mmsc.getRecipients(event.message.id).catch((error: unknown) => {
              // Better a CDR without session ids than no CDR.
              ctx.log.warn({ err: error, messageId: event.message.id }, 'could not read recipients for the CDR');
              return [];
            });
        const cdr = toCdr(event, ctx.config.node.id, recipients);
        const results = await Promise.allSettled(sinks.map((s) => s.write(cdr)));
        let firstError: unknown;
        results.forEach((r, i) => {
          const sink = sinks[i]!;
          if (r.status === 'fulfilled') written.inc({ writer: sink.name });
          else {
            failed.inc({ writer: sink.name });
            firstError ??= r.reason;
          }
        });
        // A file writer that failed has not made the CDR durable: say so (the kernel logs it).
        if (firstError) throw firstError;
        return [{ recordType: cdr.recordType, id: cdr.cdrId }];
      },
    });

    return {
      async start() {
        for (const s of sinks) await s.start();
      },
      async ready() {
        for (const s of sinks) {
          const r = await s.ready();
          if (r !== true) return r;
        }
        return true;
      },
      async close() {
        await Promise.all(sinks.map((s) => s.close()));
      },
    };
  },
});
