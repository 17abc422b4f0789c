import { appendFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { definePlugin, formatAddress } from '@openmmsc/core';
import { z } from 'zod';

export const pushLogOptions = z.object({
  file: z.string().optional().describe('Also append each notification as a JSON line to this file (relative to the config file).'),
  fail: z
    .enum(['never', 'always-retry', 'always-fail'])
    .default('never')
    .describe('For tests and demos: make every push succeed, ask for a retry, or fail for good.'),
});
export type PushLogOptions = z.output<typeof pushLogOptions>;

/** A push bearer that logs notifications instead of sending them: for labs, demos and tests. */
export default definePlugin({
  name: '@openmmsc/plugin-push-log',
  version: '0.1.0',
  apiVersion: '^1.0.0',
  description: 'Log-only push bearer',
  configSchema: pushLogOptions,
  facts: () => ({ provides: ['PushBearer'] }),
  setup(ctx) {
    const file = ctx.options.file ? resolve(ctx.baseDir, ctx.options.file) : undefined;
    let sent = 0;
    ctx.provide('PushBearer', {
      name: ctx.name,
      async push(request) {
        if (ctx.options.fail === 'always-retry') return { status: 'retry', reason: 'configured to retry' };
        if (ctx.options.fail === 'always-fail') return { status: 'failed', reason: 'configured to fail' };
        const n = request.notification;
        const record = {
          at: new Date(ctx.clock.now()).toISOString(),
          to: formatAddress(request.to),
          kind: n.kind,
          messageId: n.messageId,
          from: n.from ? formatAddress(n.from) : undefined,
          subject: n.subject?.text,
          size: n.size,
          expiry: n.expiry.toISOString(),
          contentLocation: n.contentLocation,
          pduBytes: request.pdu?.byteLength,
        };
        ctx.log.info(record, `notification for ${record.to}: message ${n.messageId} (${n.size} bytes)`);
        if (file) await appendFile(file, `${JSON.stringify(record)}\n`);
        sent += 1;
        return { status: 'sent', reference: `log-${sent}` };
      },
    });
  },
});
