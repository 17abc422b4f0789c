import { duration } from '@openmmsc/core';
import { z } from 'zod';

export const pushPapOptions = z.object({
  url: z.string().url().describe('PAP endpoint of the Push Proxy Gateway, e.g. `http://ppg.example:8080/wappush` (Kannel: `ppg-port` and `ppg-url`).'),
  username: z.string().optional().describe('User for HTTP Basic authentication at the PPG (Kannel: a `wap-push-user`).'),
  password: z.string().optional().describe('Password for HTTP Basic authentication.'),
  ppgDomain: z
    .string()
    .optional()
    .describe('Domain after `@` in PAP addresses (`WAPPUSH=+15550000002/TYPE=PLMN@ppg.operator.com`); default: the host of `url`.'),
  deliveryMethod: z
    .enum(['unconfirmed', 'confirmed', 'preferconfirmed', 'notspecified'])
    .default('unconfirmed')
    .describe('quality-of-service delivery-method of every push-message.'),
  network: z.string().optional().describe('quality-of-service network (e.g. `GSM`), when the PPG needs it.'),
  bearer: z.string().optional().describe('quality-of-service bearer (e.g. `SMS`), when the PPG needs it.'),
  applicationId: z
    .string()
    .default('x-wap-application:mms.ua')
    .describe('X-Wap-Application-Id of the content entity, when the WAP Push handed over does not name one.'),
  deliverBefore: z.boolean().default(true).describe('Set deliver-before-timestamp to the message expiry so the PPG drops notifications nobody can fetch any more.'),
  timeoutMs: duration.prefault(10_000).describe('Longest wait for the PPG to answer a push; a timeout means retry later.'),
  resultNotification: z
    .object({
      enabled: z.boolean().default(false).describe('Ask the PPG for result notifications (ppg-notify-requested-to) and receive them on a small HTTP server.'),
      host: z.string().default('127.0.0.1').describe('Address the result-notification server listens on.'),
      port: z.number().int().min(0).max(65535).default(0).describe('Port of the result-notification server (0 = a free one).'),
      path: z.string().startsWith('/').default('/pap/result-notification').describe('Path the PPG posts result notifications to.'),
      publicUrl: z.string().url().optional().describe('URL the PPG should call, when it differs from `http://host:port/path` (NAT, proxy).'),
      allowFrom: z
        .array(z.string())
        .default(['127.0.0.1', '::1', '::ffff:127.0.0.1'])
        .describe('Client addresses allowed to post result notifications (the PPG); others get 403.'),
    })
    .prefault({})
    .describe('PAP result notifications (the outcome of each push, sent back by the PPG).'),
  recordTtlMs: duration.prefault('7d').describe('How long push-id → notification records and results are kept.'),
});
export type PushPapOptions = z.output<typeof pushPapOptions>;
