import { z } from 'zod';

const pem = z.string().min(1);

/** HTTPS for a listener: the server certificate, and optionally client certificates (mutual TLS). */
export const tlsServerSchema = z.object({
  cert: pem.describe('Server certificate chain: PEM text, or a PEM file relative to the config file.'),
  key: pem.describe('Key of the server certificate: PEM text or file.'),
  ca: pem.optional().describe('CA certificate(s) that sign client certificates (PEM text or file); needed for `requestCert`.'),
  requestCert: z.boolean().default(false).describe('Ask clients for a certificate (mutual TLS); which certificate each account must present is set per account.'),
  minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2').describe('Oldest TLS version accepted.'),
});

/** Which client certificate an account must present: any field given must match. */
export const certificateRuleSchema = z
  .object({
    subject: z.string().min(1).optional().describe('Subject CN of the certificate.'),
    fingerprint256: z
      .string()
      .regex(/^([0-9A-Fa-f]{2}:?){32}$/, 'a SHA-256 fingerprint such as AB:CD:…')
      .optional()
      .describe('SHA-256 fingerprint of the certificate (`AB:CD:…`).'),
  })
  .refine((r) => r.subject !== undefined || r.fingerprint256 !== undefined, 'give `subject`, `fingerprint256` or both');

export type TlsServerConfig = z.output<typeof tlsServerSchema>;
export type CertificateRule = z.output<typeof certificateRuleSchema>;
