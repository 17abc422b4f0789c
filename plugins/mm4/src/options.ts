import { certificateRuleSchema, duration, listenFields, optionGroup, smtpListenerOverrides, threadCountOption } from '@openmmsc/core';
import { smtpClientTlsSchema, smtpServerTlsSchema } from '@openmmsc/smtp';
import { z } from 'zod';

const numberRange = z
  .string()
  .regex(/^\+?\d+(-\+?\d+)?$/, 'a prefix such as `+1666` or a range such as `+16660000000-+16669999999`')
  .refine((v) => {
    const [low, high] = v.split('-');
    return high === undefined || low!.replace('+', '').length === high.replace('+', '').length;
  }, 'both ends of a range must have the same number of digits');

const tlsClient = smtpClientTlsSchema.prefault({}).describe('TLS settings towards this peer (STARTTLS is used whenever the peer offers it).');

export const peerSchema = z.object({
  domain: z.string().min(1).describe('The peer MMSC’s MMS domain, e.g. `mms.mnc002.mcc001.gprs` (what MM5 routes to).'),
  aliases: z.array(z.string()).default([]).describe('Further domains the peer sends from or receives for.'),
  // Outbound
  host: z.string().optional().describe('SMTP host of the peer; without it the domain’s MX records are used (then its A record).'),
  port: z.number().int().min(1).max(65535).default(25).describe('SMTP port of the peer (also used for MX hosts).'),
  secure: z.boolean().default(false).describe('Implicit TLS from the first byte (SMTPS) instead of STARTTLS.'),
  requireTls: z.boolean().default(false).describe('Refuse to send unless STARTTLS succeeds (STARTTLS is always tried when offered).'),
  tls: tlsClient,
  auth: z
    .object({ user: z.string().describe('User name.'), pass: z.string().describe('Password.') })
    .optional()
    .describe('SMTP AUTH credentials we log in with at this peer.'),
  maxConnections: z.number().int().positive().default(2).describe('Parallel SMTP connections to this peer (outbound pool) and from it (inbound; counted at connect when `addresses` names it, else at MAIL FROM).'),
  localAddress: z.string().optional().describe('Source IP address for connections to this peer.'),
  // Inbound
  addresses: z.array(z.string()).default([]).describe('IP addresses or CIDR blocks the peer connects from; empty: any address (then `inboundAuth` or `clientCertificate` should be set).'),
  inboundAuth: z
    .object({ user: z.string().describe('User name.'), pass: z.string().describe('Password.') })
    .optional()
    .describe('SMTP AUTH credentials the peer must log in with.'),
  clientCertificate: certificateRuleSchema
    .optional()
    .describe('Require a TLS client certificate from the peer, naming which (the server must have `tls.ca` and `tls.requestCert`).'),
  requireInboundTls: z.boolean().default(false).describe('Refuse the peer’s messages unless sent over TLS.'),
  originators: optionGroup('Whom the peer may name as originator (`From`); anyone else is refused with Error-service-denied and SMTP 550. Its X-Mms-Originator-System must be in its own domains.', {
    domains: z
      .array(z.string().min(1))
      .default([])
      .describe('Further domains (and their subdomains) whose addresses the peer may send from, e.g. its e-mail domain; `domain` and `aliases` always count.'),
    numbers: z
      .array(numberRange)
      .default([])
      .describe(
        'Number ranges the peer’s subscribers have: `+1666` (a prefix) or `+16660000000-+16669999999` (inclusive). When set, a number originator must be in one (even under the peer’s domain); a bare number (`+1666…/TYPE=PLMN` without a domain) is accepted only then.',
      ),
  }),
});

export const mm4Options = z.object({
  domain: z.string().min(1).describe('Our MMS domain, e.g. `mms.mnc001.mcc001.gprs`: recipients `+E164/TYPE=PLMN@domain` are ours.'),
  aliases: z.array(z.string()).default([]).describe('Further domains we accept recipients for.'),
  originatorSystem: z.string().optional().describe('Our X-Mms-Originator-System address; default `system-user@<domain>`.'),
  mmsVersion: z.string().default('6.3.0').describe('X-Mms-3GPP-MMS-Version we write (the 3GPP TS 23.140 release).'),
  ackRequest: z.boolean().default(true).describe('Ask peers for MM4_*.RES answers (X-Mms-Ack-Request: Yes).'),
  peers: z.array(peerSchema).default([]).describe('Peer MMSCs we exchange messages with; only these may send to us.'),
  unknownPeers: z
    .enum(['reject', 'mx'])
    .default('reject')
    .describe('Outbound to a domain not in `peers`: `reject` the recipient, or send through its MX records.'),
  dnsServers: z.array(z.string()).default([]).describe('DNS servers for MX lookups (`host` or `host:port`); empty: the system resolvers.'),
  server: optionGroup('The inbound SMTP server.', {
    enabled: z.boolean().default(true).describe('Accept MM4 from peers.'),
    ...listenFields('0.0.0.0', 25),
    name: z.string().optional().describe('Name in the SMTP greeting (default: our domain).'),
    maxMessageSize: z.number().int().positive().default(2 * 1024 * 1024).describe('Largest message accepted (bytes, SMTP SIZE); larger ones get 552.'),
    listener: smtpListenerOverrides.describe(
      'Connection caps and time-outs of this server; each unset one comes from the kernel\'s `listeners.smtp`. A peer with `addresses` is known at connect: it gets at most its `maxConnections`, and `reservedPerPeer` slots nobody else can take.',
    ),
    closeTimeoutMs: z.number().int().positive().default(10_000).describe('On shutdown, how long a transaction in progress may take before its connection is closed.'),
    requireTls: z.boolean().default(false).describe('Refuse MAIL FROM before STARTTLS (530 5.7.0) from every peer; `requireInboundTls` does it per peer.'),
    tls: smtpServerTlsSchema
      .prefault({})
      .describe('TLS of the inbound server.'),
  }),
  limits: optionGroup('Parser limits; a message over them is refused as malformed.', {
    maxParts: z.number().int().positive().default(100).describe('Most MIME parts in one message.'),
    maxDepth: z.number().int().positive().default(5).describe('Deepest multipart nesting.'),
    maxHeaderBytes: z.number().int().positive().default(64 * 1024).describe('Largest header block.'),
  }),
  decodeThreads: threadCountOption('read inbound messages of 64 KiB and more (MIME, base64)'),
  timeouts: optionGroup('Outbound SMTP timeouts.', {
    connectMs: z.number().int().positive().default(10_000).describe('Connecting to a peer.'),
    greetingMs: z.number().int().positive().default(10_000).describe('Waiting for the peer’s greeting.'),
    socketMs: z.number().int().positive().default(60_000).describe('Idle time on a connection to a peer.'),
  }),
  acceptTargets: z
    .array(z.string().min(1))
    .min(1)
    .default(['local'])
    .describe('Route targets a peer’s forward may reach: our own subscribers (`local`). A recipient routed elsewhere (another MMSC, e-mail) is refused with Error-service-denied, never relayed.'),
  retransmissionWindow: duration
    .prefault('1d')
    .describe('A peer that sends the same MM4_forward.REQ again (same X-Mms-Transaction-ID and content) within this window gets the first answer, not a second message.'),
  responseRetries: z.number().int().min(0).max(20).default(5).describe('Attempts to send an MM4_*.RES answer before giving up: a durable job (kind `response`), retried after 0.5 s, doubling up to 60 s.'),
});

export type Mm4Options = z.output<typeof mm4Options>;
export type Mm4OptionsInput = z.input<typeof mm4Options>;
export type PeerOptions = z.output<typeof peerSchema>;
