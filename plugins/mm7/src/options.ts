import { byteSize, certificateRuleSchema, threadCountOption, clientAccountFields, clientEndpointFields, duration, httpListenerOverrides, optionGroup, tlsServerSchema } from '@openmmsc/core';
import { z } from 'zod';
import { RELEASE_NAMES } from '@openmmsc/mm7';

const prefix = z.string().regex(/^([A-Za-z_][\w.-]*)?$/, 'an XML prefix (letters, digits, - _ .) or "" for none');

/** How we speak MM7 to one VASP (DeliverReq, DeliveryReportReq, ReadReplyReq) and answer it. */
export const dialectOptions = z
  .object({
    release: z.enum(RELEASE_NAMES).default('REL-6-MM7-1-4').describe('Schema release (namespace) of requests we send to the VASP.'),
    version: z.string().optional().describe('MM7Version to send (default: the release\'s newest).'),
    envelopePrefix: prefix.default('env').describe('Prefix of SOAP envelope elements; "" sends <Envelope xmlns="…">.'),
    mm7Prefix: prefix.default('mm7').describe('Prefix of MM7 elements; "" puts them in a default namespace.'),
    xmlDeclaration: z.boolean().default(true).describe('Start with <?xml version="1.0" encoding="UTF-8"?>.'),
    mustUnderstand: z.boolean().default(true).describe('Mark TransactionID mustUnderstand="1" (releases that allow it).'),
    soapAction: z.string().default('').describe('SOAPAction header value (sent quoted; "" sends SOAPAction: "").'),
    transferEncoding: z.enum(['binary', 'base64']).default('base64').describe('Content-Transfer-Encoding of binary parts.'),
  })
  .prefault({});
export type DialectOptions = z.output<typeof dialectOptions>;

export const vaspOptions = z.object({
  id: z.string().min(1).describe('VASPID; also the route destination of its short codes.'),
  vasIds: z.array(z.string().min(1)).default([]).describe('VASIDs it may use (empty: any).'),
  ...clientAccountFields,
  password: clientAccountFields.password.describe('HTTP Basic password for MM7 and the JSON API.'),
  defaultSender: clientAccountFields.defaultSender.describe('Sender when a SubmitReq names none (default: its first short code).'),
  throughput: clientAccountFields.throughput.describe('Requests per second it may make (0: unlimited); over it the answer is 4006 / HTTP 503.'),
  clientCertificate: certificateRuleSchema
    .optional()
    .describe('Require this TLS client certificate (signed by the server\'s `tls.ca`) with its credentials: mutual TLS. Needs `tls.requestCert`.'),
  url: z.string().url().optional().describe('Its MM7 endpoint for DeliverReq, DeliveryReportReq and ReadReplyReq.'),
  ...clientEndpointFields,
  dialect: dialectOptions.describe('How to speak MM7 to it (real VASPs and MMSCs differ).'),
  webhook: z
    .object({
      url: z.string().url().describe('Receives JSON events: delivery reports, read replies, MO messages.'),
      secret: z.string().optional().describe('Signs each event: X-OpenMMSC-Signature: sha256=HMAC(secret, body).'),
    })
    .optional()
    .describe('JSON webhooks for applications that use the plain HTTP API instead of MM7.'),
  moDelivery: z.enum(['mm7', 'webhook']).optional().describe('How MO messages reach it (default: mm7 when url is set, else webhook).'),
});
export type VaspOptions = z.output<typeof vaspOptions>;

export const mm7Options = z.object({
  host: z.string().default('127.0.0.1').describe('Address the MM7 / HTTP API server listens on.'),
  port: z.coerce.number().int().min(0).max(65535).default(8007).describe('Port (0 picks a free one; the URL is logged).'),
  path: z.string().startsWith('/').default('/mm7').describe('MM7 SOAP endpoint path.'),
  tls: tlsServerSchema.optional().describe('Serve HTTPS with this certificate; with `requestCert`, VASPs may be held to a client certificate (`vasps[].clientCertificate`).'),
  listener: httpListenerOverrides,
  api: optionGroup('Plain HTTP send API (see openapi.yaml).', {
    enabled: z.boolean().default(true).describe('Serve the plain JSON/multipart send API.'),
    prefix: z.string().startsWith('/').default('/api/v1').describe('Path prefix of the API.'),
  }),
  relayServerId: z.string().min(1).default('openmmsc').describe('MMSRelayServerID in requests we send.'),
  trustProxy: z.boolean().default(false).describe('Take the client address from X-Forwarded-For (only behind your own proxy).'),
  dedupeWindow: duration
    .prefault('1h')
    .describe('A SubmitReq repeating an earlier one (same VASP, TransactionID and content) within this window gets the first answer again; a TransactionID reused for other content is a new message (0: off).'),
  limits: optionGroup('Parser limits; requests over them are refused with a fault, never processed.', {
    maxRequestSize: byteSize.prefault('5MB').describe('Largest HTTP request body; a larger one is read to its end (up to 4× this, at least 16 MiB) and answered 413 / 2004.'),
    maxXmlSize: byteSize.prefault('256KB').describe('Largest SOAP envelope.'),
    maxXmlDepth: z.number().int().min(4).max(256).default(32).describe('Deepest XML element nesting.'),
    maxMimeParts: z.number().int().min(1).default(100).describe('Most MIME parts in a request.'),
    maxMimeDepth: z.number().int().min(1).max(16).default(4).describe('Deepest nesting of multiparts.'),
  }),
  decodeThreads: threadCountOption('read MM7 requests of 16 KiB and more (SOAP, MIME, base64)'),
  vasps: z.array(vaspOptions).default([]).describe('The VASPs (content providers) and API accounts.'),
});
export type Mm7Options = z.output<typeof mm7Options>;
