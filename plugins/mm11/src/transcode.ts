import type { MmsPart, PluginContext, TranscodeRequest, TranscodeResult } from '@openmmsc/core';
import { Counter, Histogram, type Registry } from 'prom-client';
import { adaptParts, type AdaptationCapabilities, type AdaptSettings, type MediaBackend } from './adapt.js';
import type { ClassTable } from './capabilities.js';
import type { Limiter } from './tools.js';

export interface TranscodeDeps {
  table: ClassTable;
  backend: MediaBackend;
  settings: AdaptSettings;
  /** Bounds the messages adapting at once in this process (`concurrency`). */
  limiter: Limiter;
  metrics: Registry;
  log: PluginContext<unknown>['log'];
}

/** Bytes the message's headers take, kept out of the media budget. */
function headerBytes(request: Pick<TranscodeRequest, 'message'>): number {
  const h = request.message.headers;
  let n = (h.subject?.text.length ?? 0) * 2;
  for (const a of [...h.to, ...h.cc]) n += a.value.length + 8;
  return n + h.from.value.length + 8;
}

/** One message adapted for one class, counted and timed (`openmmsc_mm11_*`); `undefined`: the originals suit it. */
export function createTranscode(d: TranscodeDeps): (request: TranscodeRequest) => Promise<TranscodeResult> {
  const messages = new Counter({ name: 'openmmsc_mm11_messages_total', help: 'Messages adapted, by class and result (adapted, unchanged, failed)', labelNames: ['class', 'result'], registers: [d.metrics] });
  const seconds = new Histogram({ name: 'openmmsc_mm11_adaptation_seconds', help: 'Time to adapt one message for one class', labelNames: ['class'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [d.metrics] });
  return async (request) => {
    const caps = d.table.complete(request.capabilities as AdaptationCapabilities);
    const end = seconds.startTimer({ class: caps.class });
    try {
      const parts: readonly MmsPart[] = request.parts;
      const r = await d.limiter.run(() =>
        adaptParts({ messageId: request.message.id, ...(request.message.expiresAt !== undefined ? { expiresAt: request.message.expiresAt } : {}), parts, caps, headerBytes: headerBytes(request), signal: request.signal }, d.backend, d.settings),
      );
      messages.inc({ class: caps.class, result: r.changed ? 'adapted' : 'unchanged' });
      if (!r.changed) return undefined;
      d.log.info({ messageId: request.message.id, class: caps.class, size: r.size, notes: r.notes }, 'adapted');
      return { parts: r.parts, notes: r.notes };
    } catch (error) {
      messages.inc({ class: caps.class, result: 'failed' });
      throw error;
    } finally {
      end();
    }
  };
}
