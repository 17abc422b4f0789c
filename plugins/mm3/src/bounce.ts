import { randomBytes } from 'node:crypto';
import { encodeWords } from '@openmmsc/mime';

export interface BounceSpec {
  /** Reporting MTA name (our domain). */
  reportingMta: string;
  from: string;
  /** Who gets the bounce (the original envelope sender). */
  to: string;
  /** Original subject, for the human-readable part. */
  subject?: string;
  /** Original Message-ID, for References. */
  originalMessageId?: string;
  recipients: Array<{ address: string; status: string; diagnostic: string; action?: 'failed' | 'delayed' }>;
  /** Original headers, attached as text/rfc822-headers. */
  originalHeaders?: string;
  explanation: string;
  date: Date;
}

function dsnDate(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

/** A delivery status notification (RFC 3464): multipart/report; report-type=delivery-status. */
export function buildBounce(b: BounceSpec): Buffer {
  const boundary = `=_dsn_${randomBytes(10).toString('hex')}`;
  const lines: string[] = [
    `From: Mail Delivery System <${b.from}>`,
    `To: ${b.to}`,
    // Header fields are ASCII: a subject in any other script is RFC 2047 encoded.
    `Subject: ${encodeWords(`Undelivered Mail Returned to Sender${b.subject ? `: ${[...b.subject.replace(/[\r\n]+/g, ' ')].slice(0, 120).join('')}` : ''}`)}`,
    `Date: ${dsnDate(b.date)}`,
    `Message-ID: <dsn.${randomBytes(8).toString('hex')}@${b.reportingMta}>`,
    ...(b.originalMessageId ? [`References: ${b.originalMessageId}`, `In-Reply-To: ${b.originalMessageId}`] : []),
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    'This is a MIME-encapsulated delivery status notification.',
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    b.explanation,
    '',
    ...b.recipients.map((r) => `<${r.address}>: ${r.diagnostic}`),
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${b.reportingMta}`,
    `Arrival-Date: ${dsnDate(b.date)}`,
    '',
  ];
  for (const r of b.recipients) {
    lines.push(`Final-Recipient: rfc822; ${r.address}`, `Action: ${r.action ?? 'failed'}`, `Status: ${r.status}`, `Diagnostic-Code: smtp; ${r.diagnostic.replace(/[\r\n]+/g, ' ')}`, '');
  }
  if (b.originalHeaders) {
    const eightBit = /[^\x00-\x7f]/.test(b.originalHeaders);
    lines.push(`--${boundary}`, 'Content-Type: text/rfc822-headers', ...(eightBit ? ['Content-Transfer-Encoding: 8bit'] : []), '', b.originalHeaders.replace(/\r?\n/g, '\r\n').trimEnd(), '');
  }
  lines.push(`--${boundary}--`, '');
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
