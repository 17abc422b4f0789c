import { listenFields, optionGroup, smtpListenerOverrides, threadCountOption } from '@openmmsc/core';
import { pemSchema as pem, smtpServerTlsSchema } from '@openmmsc/smtp';
import { z } from 'zod';

export const DEFAULT_BLOCKED_EXTENSIONS = [
  'exe', 'com', 'bat', 'cmd', 'scr', 'pif', 'cpl', 'msi', 'msp', 'dll', 'sys', 'vbs', 'vbe', 'js', 'jse', 'wsf', 'wsh', 'hta',
  'ps1', 'psm1', 'jar', 'apk', 'sh', 'bash', 'elf', 'app', 'dmg', 'lnk', 'reg', 'scf', 'iso', 'docm', 'xlsm', 'pptm',
];

export const mm3Options = z.object({
  domain: z.string().min(1).describe('MMS e-mail domain: mail to `<msisdn>@<domain>` becomes an MMS; MMS senders appear as `<msisdn>@<fromDomain>`.'),
  aliases: z.array(z.string()).default([]).describe('Further domains accepted for `<msisdn>@…` recipients.'),
  fromDomain: z.string().optional().describe('Domain of the From address of MMS sent as e-mail (default: `domain`).'),
  fromLocalPart: z.enum(['e164', 'digits']).default('e164').describe('From local part: `+15551234567` (`e164`) or `15551234567` (`digits`).'),
  dnsServers: z.array(z.string()).default([]).describe('DNS servers for MX lookups when no relay is set (`host` or `host:port`).'),
  relay: z
    .object({
      host: z.string().describe('Relay host (smarthost).'),
      port: z.number().int().min(1).max(65535).default(25).describe('Relay port.'),
      secure: z.boolean().default(false).describe('Implicit TLS instead of STARTTLS.'),
      requireTls: z.boolean().default(false).describe('Refuse to send unless STARTTLS succeeds (it is tried whenever offered).'),
      rejectUnauthorized: z.boolean().default(true).describe('Verify the relay’s certificate.'),
      ca: pem.optional().describe('CA of the relay’s certificate.'),
      auth: z.object({ user: z.string().describe('User name.'), pass: z.string().describe('Password.') }).optional().describe('SMTP AUTH at the relay.'),
      maxConnections: z.number().int().positive().default(4).describe('Parallel connections to the relay.'),
    })
    .optional()
    .describe('Send all e-mail (MMS as e-mail and bounces) through this relay; without it, the recipient domain’s MX is used.'),
  outbound: optionGroup('MMS → e-mail.', {
    smil: z.enum(['drop', 'keep']).default('drop').describe('The SMIL presentation: dropped, or kept as an attachment.'),
    html: z.boolean().default(true).describe('Add a text/html alternative with images shown inline.'),
    footer: z.string().optional().describe('Text appended to every MMS sent as e-mail (also to the HTML version).'),
    defaultSubject: z.string().default('Multimedia message').describe('Subject when the MMS has none.'),
    maxSize: z.number().int().positive().default(10 * 1024 * 1024).describe('Largest e-mail we send (bytes of content); larger MMS are rejected.'),
  }),
  server: optionGroup('E-mail → MMS: the inbound SMTP server.', {
    enabled: z.boolean().default(true).describe('Accept e-mail for MMS subscribers.'),
    ...listenFields('0.0.0.0', 25),
    name: z.string().optional().describe('Name in the SMTP greeting (default: `domain`).'),
    allowedSources: z
      .array(z.string())
      .default(['127.0.0.0/8', '::1'])
      .describe('IP addresses / CIDR blocks that may deliver mail to us (the operator’s mail relays); `0.0.0.0/0` for anyone.'),
    users: z.record(z.string(), z.string()).default({}).describe('SMTP AUTH users (name → password) that may deliver from any address.'),
    maxMessageSize: z.number().int().positive().default(1024 * 1024).describe('Largest mail accepted (bytes); larger gets SMTP 552 and a bounce.'),
    maxRecipients: z.number().int().positive().default(20).describe('Most recipients per mail.'),
    listener: smtpListenerOverrides.describe(
      'Connection caps and time-outs of this server; each unset one comes from the kernel\'s `listeners.smtp`. Each `allowedSources` entry counts as one peer: it is not held to the per-address cap and gets `reservedPerPeer` slots.',
    ),
    closeTimeoutMs: z.number().int().positive().default(10_000).describe('On shutdown, how long a transaction in progress may take.'),
    requireTls: z.boolean().default(false).describe('Refuse MAIL FROM before STARTTLS (530 5.7.0); needs `tls`.'),
    tls: smtpServerTlsSchema
      .pick({ key: true, cert: true })
      .prefault({})
      .describe('TLS of the inbound server.'),
  }),
  inbound: optionGroup('E-mail → MMS.', {
    executables: z.enum(['strip', 'refuse']).default('strip').describe('Attachments that are programs: removed (a note is added to the text), or the whole mail refused.'),
    blockedExtensions: z.array(z.string()).default(DEFAULT_BLOCKED_EXTENSIONS).describe('File extensions treated as executable.'),
    html: z.enum(['text', 'attach', 'drop']).default('text').describe('An HTML body: used only as text (when there is no text/plain), also attached as text/html, or dropped.'),
    maxParts: z.number().int().positive().default(20).describe('Most parts of the MMS made from a mail; further attachments are dropped with a note.'),
    bounces: z.boolean().default(true).describe('Send a bounce (DSN) to the mail sender when the MMS cannot be delivered, or the mail was refused for size.'),
  }),
  decodeThreads: threadCountOption('read inbound mail of 64 KiB and more (MIME, base64, the conversion to MMS parts)'),
  acceptTargets: z
    .array(z.string().min(1))
    .min(1)
    .default(['local'])
    .describe(
      'Route targets mail may reach: our own subscribers (`local`); add e.g. `mm7` for mail to VASP short codes. A recipient routed elsewhere (another operator’s number) is refused as relaying (SMTP 550 5.7.1).',
    ),
  bounceFrom: z.string().optional().describe('From address of bounces (default `MAILER-DAEMON@<domain>`).'),
  timeouts: optionGroup('Outbound SMTP timeouts.', {
    connectMs: z.number().int().positive().default(10_000).describe('Connecting to a mail host.'),
    socketMs: z.number().int().positive().default(60_000).describe('Idle time on an outbound connection.'),
  }),
});

export type Mm3Options = z.output<typeof mm3Options>;
export type Mm3OptionsInput = z.input<typeof mm3Options>;
