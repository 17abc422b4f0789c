import { byteSize, clientAccountFields, clientEndpointFields, duration, httpListenerOverrides } from '@openmmsc/core';
import { z } from 'zod';

const eaifVersion = z.string().regex(/^\d{1,3}\.\d{1,3}$/, 'a version such as 3.0');
const mmsVersion = z.enum(['1.0', '1.1', '1.2', '1.3']);

/** One application (value-added service) that speaks EAIF to this MMSC. */
export const applicationOptions = z.strictObject({
  id: z.string().min(1).describe('Application id: the route destination of its short codes, `origin.peer` and `origin.attributes.vaspId` of what it submits.'),
  ...clientAccountFields,
  defaultSender: clientAccountFields.defaultSender.describe('Sender when the m-send-req asks the MMSC to insert one and no X-NOKIA-MMSC-From is given (default: its first short code).'),
  throughput: clientAccountFields.throughput.describe('Submissions per second it may make (0: unlimited); over it the answer is HTTP 503 with Retry-After.'),
  url: z.string().url().optional().describe('Where messages to its short codes and addresses are POSTed (X-NOKIA-MMSC-Message-Type: MultiMediaMessage).'),
  reportUrl: z.string().url().optional().describe('Where delivery and read reports for what it submitted are POSTed (default: `url`; neither: reports are not sent).'),
  ...clientEndpointFields,
  deliverAs: z
    .enum(['m-send-req', 'm-retrieve-conf'])
    .default('m-send-req')
    .describe('PDU that carries a message to it: m-send-req (Nokia MMSC, Mbuni) or m-retrieve-conf (some gateways).'),
  mmsVersion: mmsVersion.default('1.2').describe('X-Mms-MMS-Version of the PDUs we send it.'),
  version: eaifVersion.optional().describe('X-NOKIA-MMSC-Version in requests to it and answers to it (default: the plugin-wide `version`).'),
});
export type ApplicationOptions = z.output<typeof applicationOptions>;

export const eaifOptions = z.strictObject({
  host: z.string().default('127.0.0.1').describe('Address the EAIF server listens on.'),
  port: z.coerce.number().int().min(0).max(65535).default(8009).describe('Port (0 picks a free one; the URL is logged).'),
  path: z.string().startsWith('/').default('/eaif').describe('Path applications POST to (NowSMS and Mbuni use `/eaif`).'),
  version: eaifVersion.default('3.0').describe('X-NOKIA-MMSC-Version we answer with and send.'),
  listener: httpListenerOverrides,
  trustProxy: z.boolean().default(false).describe('Take the client address from X-Forwarded-For (only behind your own proxy).'),
  dedupeWindow: duration
    .prefault('1h')
    .describe('A submission repeating an earlier one of the same application (same X-NOKIA-MMSC-Message-Id, or else same X-Mms-Transaction-Id, and same content) within this window gets the first answer again (0: off).'),
  limits: z
    .strictObject({
      maxRequestSize: byteSize.prefault('5MB').describe('Largest request body; a larger one is answered 413.'),
      maxParts: z.number().int().min(1).default(100).describe('Most multipart entries in a PDU.'),
    })
    .prefault({})
    .describe('Parser limits; requests over them are refused, never processed.'),
  applications: z.array(applicationOptions).default([]).describe('The applications (value-added services) and their accounts.'),
});
export type EaifOptions = z.output<typeof eaifOptions>;
