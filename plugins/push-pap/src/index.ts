import { definePackagedPlugin, linkTracker, pluginManifest } from '@openmmsc/core';
import { Counter } from 'prom-client';
import { pushPapOptions } from './options.js';
import { ppgPush } from './ppg-push.js';
import { ResultServer } from './result-server.js';

export { pushPapOptions, type PushPapOptions } from './options.js';
export {
  PAP_CODES,
  classifyPapCode,
  describePapCode,
  parsePushResponse,
  parseResultNotification,
  pushMessageXml,
  papMultipart,
  resultNotificationResponse,
  PapXmlError,
  type PapCodeClass,
  type PushResponse,
  type ResultNotification,
  type PushMessageSpec,
} from './pap.js';
export type { PushRecord, ResultRecord } from './records.js';

/**
 * Push bearer over PAP 2.0: each notification goes to a Push Proxy Gateway (Kannel's PPG, or any
 * PAP server) as a push-message; the PPG builds the WSP push and sends it to the handset.
 */
export default definePackagedPlugin(pluginManifest(import.meta.url), {
  description: 'PAP push bearer: notifications through a Push Proxy Gateway',
  configSchema: pushPapOptions,
  facts: () => ({ provides: ['PushBearer'] }),
  setup(ctx) {
    const pushes = new Counter({
      name: 'openmmsc_pap_pushes_total',
      help: 'Notifications handed to the PPG, by result (sent, retry, failed)',
      labelNames: ['result'],
      registers: [ctx.metrics],
    });
    const codes = new Counter({
      name: 'openmmsc_pap_response_codes_total',
      help: 'PAP response-result codes received from the PPG',
      labelNames: ['code'],
      registers: [ctx.metrics],
    });
    const results = new Counter({
      name: 'openmmsc_pap_result_notifications_total',
      help: 'PAP result notifications received, by message-state',
      labelNames: ['state'],
      registers: [ctx.metrics],
    });
    const resultServer = new ResultServer(ctx, results);
    const push = ppgPush({ ctx, pushes, codes, notifyUrl: () => resultServer.url, link: linkTracker(ctx.metrics, 'ppg', () => ctx.clock.now()) });
    ctx.provide('PushBearer', { name: ctx.name, push });

    return {
      start: () => resultServer.start(),
      stop: () => resultServer.stop(),
      ready() {
        if (ctx.options.resultNotification.enabled && !resultServer.listening) return 'result-notification server not listening';
        return true;
      },
    };
  },
});

