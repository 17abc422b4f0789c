/** TLS of an SMTP listener (STARTTLS, client certificates) and of a client towards a mail host. */
import type { ConnectionOptions } from 'node:tls';
import { pemOrFile } from '@openmmsc/core';
import { z } from 'zod';

/** A PEM option: the text itself, or a file relative to the config file. */
export const pemSchema = z.string().describe('PEM text, or a path to a PEM file (relative to the config file).');

/** An SMTP listener's TLS: with `key` and `cert`, STARTTLS is offered. Plugins add `.prefault({})` and their own description. */
export const smtpServerTlsSchema = z.object({
  key: pemSchema.optional().describe('Server key (PEM text or file); with `cert`, STARTTLS is offered.'),
  cert: pemSchema.optional().describe('Server certificate (PEM text or file).'),
  ca: pemSchema.optional().describe('CA that signs clients’ certificates.'),
  requestCert: z.boolean().default(false).describe('Ask clients for a certificate.'),
});

/** TLS towards a mail host (STARTTLS is used whenever the host offers it). */
export const smtpClientTlsSchema = z.object({
  rejectUnauthorized: z.boolean().default(true).describe('Verify the host’s certificate.'),
  ca: pemSchema.optional().describe('CA certificate(s) that sign the host’s certificate (PEM text or file).'),
  cert: pemSchema.optional().describe('Our client certificate, for hosts that ask for one (PEM text or file).'),
  key: pemSchema.optional().describe('Key of our client certificate (PEM text or file).'),
  servername: z.string().optional().describe('Name to verify in the host’s certificate (default: the host, or the MX name).'),
});

export type SmtpServerTls = Partial<z.output<typeof smtpServerTlsSchema>>;
export type SmtpClientTls = z.input<typeof smtpClientTlsSchema>;

/** What smtp-server takes for TLS. */
export interface ServerTlsOptions {
  key: string;
  cert: string;
  ca?: string;
  /** A client certificate is asked for, not enforced at the handshake: whose is required is the plugin's check. */
  requestCert?: boolean;
  rejectUnauthorized?: boolean;
}

/** smtp-server TLS options, or undefined without a key and certificate (then STARTTLS is not offered). */
export function serverTlsOptions(tls: SmtpServerTls | undefined, baseDir: string): ServerTlsOptions | undefined {
  const key = pemOrFile(tls?.key, baseDir);
  const cert = pemOrFile(tls?.cert, baseDir);
  if (!key || !cert) return undefined;
  const ca = pemOrFile(tls?.ca, baseDir);
  return { key, cert, ...(ca ? { ca } : {}), ...(tls?.requestCert ? { requestCert: true, rejectUnauthorized: false } : {}) };
}

const isIpLiteral = (name: string): boolean => /^[\d.]+$/.test(name) || name.includes(':');

/** Node TLS options towards a host; `hostName` is the name its certificate should carry (an MX name, or the configured host). */
export function clientTlsOptions(tls: SmtpClientTls | undefined, baseDir: string, hostName: string): ConnectionOptions {
  const out: ConnectionOptions = { rejectUnauthorized: tls?.rejectUnauthorized ?? true };
  const ca = pemOrFile(tls?.ca, baseDir);
  const cert = pemOrFile(tls?.cert, baseDir);
  const key = pemOrFile(tls?.key, baseDir);
  if (ca) out.ca = ca;
  if (cert) out.cert = cert;
  if (key) out.key = key;
  // An IP literal cannot be an SNI name.
  const name = tls?.servername ?? hostName;
  if (!isIpLiteral(name)) out.servername = name;
  return out;
}

export { isIpLiteral };
