import { byteSize, duration, httpListenerOverrides, optionGroup } from '@openmmsc/core';
import { z } from 'zod';
import { handsetsOptions } from './dialect-options.js';
import { cancelOptions, mmboxOptions, mmboxQuotaOverride } from './mmbox-options.js';

const sizeClass = z.object({
  maxMessageSize: byteSize.describe('Largest m-send-req body (sum of the parts) this class may send.'),
});

const subscriber = z.object({
  msisdn: z.string().min(1).describe('The subscriber, e.g. `+15550000003`.'),
  mmsCapable: z.boolean().default(true).describe('`false`: notifications go out as a text SMS with a web link.'),
  sizeClass: z.string().optional().describe('Name of a `limits.classes` entry for this subscriber.'),
  mmboxQuota: mmboxQuotaOverride.optional(),
});

export const mm1Options = z.object({
  host: z.string().default('127.0.0.1').describe('Address the MM1 HTTP server listens on.'),
  port: z.coerce.number().int().min(0).max(65535).default(8080).describe('Port of the MM1 HTTP server; 0 picks a free port.'),
  listener: httpListenerOverrides.describe(
    'Time-outs and connection caps of the MM1 server (and its web pages); each unset one comes from the kernel\'s `listeners.http`. The trusted WAP gateways are never held to the per-address cap.',
  ),
  publicUrl: z
    .string()
    .url()
    .optional()
    .describe('Base URL handsets reach this server at (goes into Content-Location and web links); default: the listening address.'),
  secret: z
    .string()
    .min(16)
    .optional()
    .describe('Key that signs content URLs, transaction ids and web links; give every node of a cluster the same (default: generated once and kept in the store).'),
  mmsVersion: z
    .string()
    .regex(/^1\.[0-3]$/)
    .default('1.2')
    .describe('X-Mms-MMS-Version written in PDUs the MMSC originates (notifications, reports).'),
  identity: optionGroup('Who the sender is: never the PDU, always the WAP gateway.', {
    headers: z
      .array(z.string().min(1))
      .default(['x-wap-network-client-msisdn', 'x-msisdn'])
      .describe('Request headers carrying the sender MSISDN, first present wins (set by the WAP gateway).'),
    trustedGateways: z
      .array(z.string().min(1))
      .default(['127.0.0.1', '::1'])
      .describe('Addresses or CIDR blocks of WAP gateways whose identity headers are believed; requests from elsewhere have no identity and are refused.'),
    fromMismatch: z
      .enum(['replace', 'reject'])
      .default('replace')
      .describe('A `From` in the PDU that is not the authenticated sender: replace it, or refuse the message (Error-service-denied).'),
  }),
  limits: optionGroup('Size and content limits, answered with Error-permanent-content-not-accepted.', {
    maxMessageSize: byteSize.prefault('300KB').describe('Largest message (sum of parts) a subscriber without a class may send.'),
    classes: z
      .record(z.string(), sizeClass)
      .default({ large: { maxMessageSize: 1024 * 1024 } })
      .describe('Named size classes subscribers can be put in (see `subscribers`).'),
    maxParts: z.number().int().min(1).default(50).describe('Most parts in one message.'),
    contentTypes: z
      .array(z.string().min(1))
      .default([])
      .describe('Accepted part media types (`image/*` wildcards allowed); empty accepts any.'),
    maxBody: byteSize.prefault('2MB').describe('Hard cap on any HTTP request body; above it the request is answered before it is read.'),
  }),
  responseCodes: z
    .enum(['auto', 'legacy', '1.3'])
    .default('auto')
    .describe('X-Mms-Response-Status vocabulary: 1.0 codes (0x80-0x88), 1.1+ transient/permanent codes, or by the request\'s MMS version.'),
  retransmissionWindow: duration
    .prefault('10m')
    .describe(
      'How long an accepted m-send-req / m-forward-req is remembered: the same sender, X-Mms-Transaction-ID and content again within it gets the first m-send-conf (same Message-ID), nothing is sent twice.',
    ),
  retrieval: optionGroup('Content-Location URLs handed out in notifications, and who may fetch them.', {
    tokenBytes: z.number().int().min(12).max(32).default(16).describe('Bytes of signature in each Content-Location token (base64url).'),
    acknowledge: z
      .boolean()
      .default(true)
      .describe('Put a transaction id in m-retrieve-conf so handsets answer with m-acknowledge-ind.'),
    untrusted: z
      .enum(['refuse', 'serve-without-state'])
      .default('refuse')
      .describe(
        'A fetch of a content URL that no trusted WAP gateway vouches for (no MSISDN header, or not from a gateway): refuse it (Error-permanent-service-denied), or serve the message without counting it as the recipient\'s retrieval. A gateway-vouched MSISDN that is not the recipient\'s is always refused.',
      ),
    originals: z
      .enum(['link', 'recipients'])
      .default('link')
      .describe(
        'Links to original parts (`/o/<messageId>/<part>?e=…&s=…`, in MM11 removal notices, signed by the kernel\'s `ContentLinks`; unsigned, forged or expired ones open nothing): `link` serves anyone holding a valid link (phone browsers present no MSISDN), except a gateway-vouched subscriber who is neither the sender nor a recipient; `recipients` serves only the sender and recipients as a trusted WAP gateway vouches.',
      ),
  }),
  reports: optionGroup('Delivery and read reports pushed to the sender.', {
    retrievableFor: duration.prefault('3d').describe('How long a pushed m-delivery-ind / m-read-orig-ind can still be fetched at `/r/<token>`.'),
    readReports: z.enum(['requested', 'always']).default('requested').describe('Forward read reports only when the sender asked for them, or always.'),
  }),
  legacy: optionGroup('Handsets without MMS: a short-lived web page instead.', {
    enabled: z.boolean().default(true).describe('Send a text SMS with a web link to recipients that cannot do MMS.'),
    afterUnretrieved: duration
      .prefault(0)
      .describe('Treat a recipient as not MMS-capable when a re-notification finds the message unfetched this long after the first one (0 = never; needs `jobs.renotify`).'),
    remember: z.boolean().default(true).describe('Remember such a recipient as not MMS-capable for later messages.'),
    onUnrecognised: z.boolean().default(true).describe('Fall back to the web link when a handset answers X-Mms-Status Unrecognised.'),
    linkTtl: duration.prefault('1d').describe('How long a web link works (never past the message\'s expiry).'),
    text: z
      .string()
      .default('MMS from {from}: {subject} View it at {url}')
      .describe('SMS text; `{from}`, `{subject}` and `{url}` are filled in.'),
  }),
  subscribers: z.array(subscriber).default([]).describe('Per-subscriber settings (MMS capability, size class, MMBox quota).'),
  handsets: handsetsOptions,
  mmbox: mmboxOptions,
  cancel: cancelOptions,
});

export type Mm1Options = z.output<typeof mm1Options>;
export type Mm1OptionsInput = z.input<typeof mm1Options>;
