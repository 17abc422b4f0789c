import { appendFile } from 'node:fs/promises';
import { formatAddress, type Clock, type PluginContext, type PushBearer } from '@openmmsc/core';
import type { PushLogOptions } from './options.js';

export interface LogBearerSettings {
  readonly name: string;
  readonly fail: PushLogOptions['fail'];
  /** Absolute path of the JSON-lines file, if notifications are also written there. */
  readonly file?: string;
  readonly log: PluginContext<PushLogOptions>['log'];
  readonly clock: Clock;
}

/** One logged notification: what a handset would have been told, in JSON. */
export interface LoggedNotification {
  at: string;
  to: string;
  kind: string;
  messageId: string;
  from?: string;
  subject?: string;
  size: number;
  expiry: string;
  contentLocation?: string;
  pduBytes?: number;
}

/** A push bearer that logs each notification (and appends it to a file) instead of sending it. */
export function logBearer(settings: LogBearerSettings): PushBearer {
  const { name, fail, file, log, clock } = settings;
  let sent = 0;
  return {
    name,
    async push(request) {
      if (fail === 'always-retry') return { status: 'retry', reason: 'configured to retry' };
      if (fail === 'always-fail') return { status: 'failed', reason: 'configured to fail' };
      const n = request.notification;
      const record: LoggedNotification = {
        at: new Date(clock.now()).toISOString(),
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
      log.info(record, `notification for ${record.to}: message ${n.messageId} (${n.size} bytes)`);
      if (file) await appendFile(file, `${JSON.stringify(record)}\n`);
      sent += 1;
      return { status: 'sent', reference: `log-${sent}` };
    },
  };
}
