import { definePackagedPlugin, pluginManifest } from '@openmmsc/core';
import { smppBearer } from './bearer.js';
import { SmscLink } from './link.js';
import { LinkSet } from './link-set.js';
import { smppMetrics } from './metrics.js';
import { pushSmppOptions, type PushSmppOptions } from './options.js';
import { ReceiptBook } from './receipts.js';

export { pushSmppOptions, linkOptions, type PushSmppOptions, type LinkOptions } from './options.js';
export { SMPP_STATUS, describeStatus, classifyStatus, type StatusClass } from './status.js';
export { parseReceipt, type DeliveryReceipt } from './receipt.js';
export { segmentText, encodeGsm7, decodeGsm7, type TextSegments, type TextCoding } from './text.js';
export { LinkPacer, type PacerOptions, type Slot } from './pacer.js';
export type { SubmittedRecord, ReceiptRecord } from './receipts.js';
export type { LinkState } from './link.js';

/**
 * Push bearer over SMPP 3.4: MMS notifications as WAP Push in binary SMS (UDHI, 8-bit data,
 * WDP ports 2948/9200, concatenated when needed), text SMS, several SMSC links with failover or
 * load sharing, per-link pacing that adapts to throttling, delivery receipts.
 */
export default definePackagedPlugin(pluginManifest(import.meta.url), {
  description: 'SMPP push bearer: WAP Push over binary SMS through SMSC links',
  configSchema: pushSmppOptions,
  facts: () => ({ provides: ['PushBearer'] }),
  setup(ctx) {
    const o: PushSmppOptions = ctx.options;
    const throttle = { baseMs: o.throttleRetryMs, maxMs: Math.max(o.throttleRetryMs, o.throttleRetryMaxMs) };
    const seen = new Map<string, number>();
    const links = o.links.map((lo) => {
      const base = lo.name ?? `${lo.host}:${lo.port}`;
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      return new SmscLink({ ...lo, name: n === 1 ? base : `${base}#${n}` }, throttle, ctx.log);
    });
    const metrics = smppMetrics(ctx.metrics, links);
    const receipts = new ReceiptBook(ctx, o.receiptTtlMs, metrics);
    for (const link of links) {
      link.on('deliver', (sms) => {
        receipts.onDeliver(link, sms).catch((error: unknown) => ctx.log.error({ err: error, link: link.name }, 'could not record a delivery receipt'));
      });
    }
    const pool = new LinkSet(links, o.strategy, o.throttleRetryMs);
    ctx.provide('PushBearer', smppBearer({ ctx, links: pool, receipts, metrics }));

    return {
      async start() {
        for (const l of links) l.start();
        // Give the links a moment to bind so the first notifications need no hold; never block long.
        await Promise.any(links.map((l) => l.waitBound(o.waitForLinkMs).then((ok) => ok || Promise.reject(new Error('not bound'))))).catch(() => {
          ctx.log.warn(`no SMSC link bound yet (${pool.summary()}); notifications are held until one is`);
        });
      },
      async close() {
        receipts.close();
        await Promise.all(links.map((l) => l.stop()));
      },
    };
  },
});
