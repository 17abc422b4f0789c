import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SecureContextOptions, TLSSocket, TlsOptions } from 'node:tls';
import type { CertificateRule, TlsServerConfig } from '../config/tls-schema.js';

/** PEM text as is, or the content of a PEM file (relative to `baseDir`). */
export function pemOrFile(value: string | undefined, baseDir: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.includes('-----BEGIN')) return value;
  return readFileSync(resolve(baseDir, value), 'utf8');
}

/**
 * Node TLS server options from a listener's `tls` config. A client certificate is asked for but
 * not enforced at the handshake: which certificate is required depends on the account, checked
 * once the request says who it is (`clientCertificate` and `certificateMatches`).
 */
export function tlsServerOptions(config: TlsServerConfig, baseDir: string): TlsOptions & SecureContextOptions {
  const ca = pemOrFile(config.ca, baseDir);
  if (config.requestCert && !ca) throw new Error('tls.requestCert needs tls.ca, the CA that signs client certificates');
  return {
    cert: pemOrFile(config.cert, baseDir)!,
    key: pemOrFile(config.key, baseDir)!,
    ...(ca ? { ca } : {}),
    requestCert: config.requestCert,
    rejectUnauthorized: false,
    minVersion: config.minVersion,
  };
}

/** What a client presented at the TLS handshake. */
export interface PresentedCertificate {
  subject?: string;
  /** `AB:CD:…`, upper case. */
  fingerprint256: string;
  /** Signed by a configured CA (and valid now). */
  authorized: boolean;
}

/** The client certificate on a TLS connection; undefined over plain TCP or when none was sent. */
export function clientCertificate(socket: unknown): PresentedCertificate | undefined {
  const tls = socket as Partial<TLSSocket>;
  if (typeof tls.getPeerCertificate !== 'function') return undefined;
  const cert = tls.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0 || !cert.fingerprint256) return undefined;
  const cn = cert.subject?.CN;
  const subject = Array.isArray(cn) ? cn[0] : cn;
  return { ...(subject ? { subject } : {}), fingerprint256: cert.fingerprint256.toUpperCase(), authorized: tls.authorized === true };
}

/** Does a presented certificate satisfy a rule: CA-signed, and every field the rule names equal? */
export function certificateMatches(rule: CertificateRule, cert: PresentedCertificate | undefined): boolean {
  if (!cert || !cert.authorized) return false;
  if (rule.subject !== undefined && cert.subject !== rule.subject) return false;
  if (rule.fingerprint256 !== undefined && normalFingerprint(rule.fingerprint256) !== normalFingerprint(cert.fingerprint256)) return false;
  return true;
}

function normalFingerprint(f: string): string {
  return f.replace(/:/g, '').toUpperCase();
}
