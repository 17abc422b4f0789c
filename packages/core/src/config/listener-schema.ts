import { z } from 'zod';
import { duration } from './schema-units.js';

/**
 * Protection of every listener, in one place: the kernel's `listeners` block holds the defaults,
 * and each plugin's `listener` option may override any of them for its own server.
 */
const httpFields = {
  headersTimeout: duration.describe('Longest the request line and headers may take to arrive, counted from the connection or the end of the previous request; then 408 and the connection is closed.'),
  requestTimeout: duration.describe('Longest a whole request (headers and body) may take to arrive, however steadily bytes trickle in; then 408 and the connection is closed.'),
  idleTimeout: duration.describe('How long a keep-alive connection may wait for its next request.'),
  maxConnections: z.number().int().min(1).describe('Open connections in all; more are closed at once.'),
  maxConnectionsPerAddress: z.number().int().min(0).describe('Open connections from one client address (0: no limit); more are closed at once. Behind a load balancer every client has its address: set 0 there and limit at the balancer.'),
  exemptAddresses: z.array(z.string().min(1)).describe('Addresses or CIDR blocks not held to `maxConnectionsPerAddress` (load balancers, WAP gateways); they still count towards `maxConnections`.'),
  maxHeadersCount: z.number().int().min(1).describe('Most request header fields; the rest are ignored.'),
} as const;

export const httpListenerSchema = z
  .object({
    headersTimeout: httpFields.headersTimeout.prefault('20s'),
    requestTimeout: httpFields.requestTimeout.prefault('60s'),
    idleTimeout: httpFields.idleTimeout.prefault('30s'),
    maxConnections: httpFields.maxConnections.default(1024),
    maxConnectionsPerAddress: httpFields.maxConnectionsPerAddress.default(64),
    exemptAddresses: httpFields.exemptAddresses.default([]),
    maxHeadersCount: httpFields.maxHeadersCount.default(100),
  })
  .prefault({})
  .describe('Every HTTP listener (MM1, MM7 and its JSON API, EAIF, the STI server, the admin server): time-outs and connection caps. A plugin\'s `listener` option overrides any of these for its server.');

/** A plugin's `listener` option: any of the kernel's `listeners.http` settings, for its server only. */
export const httpListenerOverrides = z
  .object({
    headersTimeout: httpFields.headersTimeout.optional(),
    requestTimeout: httpFields.requestTimeout.optional(),
    idleTimeout: httpFields.idleTimeout.optional(),
    maxConnections: httpFields.maxConnections.optional(),
    maxConnectionsPerAddress: httpFields.maxConnectionsPerAddress.optional(),
    exemptAddresses: httpFields.exemptAddresses.optional(),
    maxHeadersCount: httpFields.maxHeadersCount.optional(),
  })
  .prefault({})
  .describe('Time-outs and connection caps of this server; each unset one comes from the kernel\'s `listeners.http`.');

const smtpFields = {
  maxConnections: z.number().int().min(1).describe('Open connections in all; more are answered 421 and closed.'),
  maxConnectionsPerAddress: z.number().int().min(0).describe('Open connections from one client address that is not a configured peer (0: no limit); more are answered 421 at connect.'),
  reservedPerPeer: z.number().int().min(0).describe('Connections kept free for each configured peer (MM4 peers with `addresses`), so that others filling `maxConnections` cannot lock it out.'),
  commandTimeout: duration.describe('Longest from connect, or from a step that moved the session forward (TLS set up, AUTH, MAIL FROM, RCPT TO, our answer to the content), to the next such step; NOOP, RSET or a command dribbled a byte at a time do not reset it (421, closed).'),
  dataTimeout: duration.describe('Longest the message content after DATA may take to arrive, in all (421).'),
} as const;

export const smtpListenerSchema = z
  .object({
    maxConnections: smtpFields.maxConnections.default(100),
    maxConnectionsPerAddress: smtpFields.maxConnectionsPerAddress.default(10),
    reservedPerPeer: smtpFields.reservedPerPeer.default(2),
    commandTimeout: smtpFields.commandTimeout.prefault('60s'),
    dataTimeout: smtpFields.dataTimeout.prefault('5m'),
  })
  .prefault({})
  .describe('Every SMTP listener (MM4, MM3): connection caps and absolute time-outs. The plugins\' `server.listener` option overrides any of these.');

export const smtpListenerOverrides = z
  .object({
    maxConnections: smtpFields.maxConnections.optional(),
    maxConnectionsPerAddress: smtpFields.maxConnectionsPerAddress.optional(),
    reservedPerPeer: smtpFields.reservedPerPeer.optional(),
    commandTimeout: smtpFields.commandTimeout.optional(),
    dataTimeout: smtpFields.dataTimeout.optional(),
  })
  .prefault({})
  .describe('Connection caps and time-outs of this SMTP server; each unset one comes from the kernel\'s `listeners.smtp`.');

export const listenersSchema = z
  .object({ http: httpListenerSchema, smtp: smtpListenerSchema })
  .prefault({})
  .describe('Protection of every listener against slow and greedy clients.');

export type HttpListenerLimits = z.output<typeof httpListenerSchema>;
export type HttpListenerOverrides = z.output<typeof httpListenerOverrides>;
export type SmtpListenerLimits = z.output<typeof smtpListenerSchema>;
export type SmtpListenerOverrides = z.output<typeof smtpListenerOverrides>;

/** The kernel's limits with a plugin's overrides on top. */
export function mergeLimits<T extends object>(base: T, overrides: Partial<T> | undefined): T {
  const out = { ...base };
  for (const [key, value] of Object.entries(overrides ?? {})) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  return out;
}
