import { MimeError, parseBody, parseHead } from '@openmmsc/mime';
import { simpleParser } from 'mailparser';
import { emailToParts, type Converted } from '../from-email.js';
import type { Mm3Options } from '../options.js';

/** The options reading a mail depends on (all that crosses to a thread). */
export type ReadingOptions = Pick<Mm3Options, 'inbound'>;

/** What the intake needs of a mail, as plain data (it crosses from a reading thread). */
export interface MailReading {
  /** Deviations the strict reader read past. */
  warnings: string[];
  messageId?: string;
  subject?: string;
  /** The first address of the From header. */
  fromAddress?: string;
  date?: Date;
  priority?: 'high' | 'normal' | 'low';
  converted: Converted;
}

/** A mail read, or why it could not be (answered 554 5.6.0). */
export type MailOutcome = { reading: MailReading } | { unreadable: string };

/**
 * Reads a mail strictly with @openmmsc/mime (a structure cut short is refused), then with
 * mailparser for its text and attachments, and converts it to MMS parts.
 */
export async function readMail(raw: Buffer, options: ReadingOptions): Promise<MailOutcome> {
  const warnings: string[] = [];
  let mail;
  try {
    const warn = (_kind: string, message: string) => warnings.push(message);
    parseBody(parseHead(raw, { warn }), { warn });
    mail = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true });
  } catch (error) {
    return { unreadable: error instanceof MimeError ? `malformed MIME: ${error.message}` : `message could not be parsed: ${(error as Error).message}` };
  }
  const reading: MailReading = { warnings, converted: emailToParts(mail, options) };
  if (mail.messageId) reading.messageId = mail.messageId;
  if (mail.subject) reading.subject = mail.subject;
  const from = mail.from?.value[0]?.address;
  if (from) reading.fromAddress = from;
  if (mail.date) reading.date = mail.date;
  if (mail.priority) reading.priority = mail.priority;
  return { reading };
}
