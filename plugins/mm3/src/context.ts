import type { MmscRuntime, SmtpListenerLimits } from '@openmmsc/core';
import type { Registry } from 'prom-client';
import type { Mailer } from './mailer.js';
import type { Mm3Options } from './options.js';
import type { MailOutcome } from './reading/mail-reading.js';

export interface Mm3Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface Mm3Context {
  name: string;
  mmsc: MmscRuntime;
  log: Mm3Log;
  now: () => number;
  baseDir: string;
  /** The kernel's `listeners.smtp`. */
  smtpLimits: SmtpListenerLimits;
  metrics?: Registry;
  /** Counts inbound decode warnings (a metric). */
  countDecodeWarnings?: (count: number) => void;
  /** Reads an inbound mail (see MailReader, which may take `raw` to a thread); default: on the event loop. */
  readMail?: (raw: Buffer) => Promise<MailOutcome>;
}

export interface Mm3Stats {
  sent: number;
  received: number;
  refused: number;
  bounces: number;
  /** Inbound mails read past a deviation (duplicate headers, 8-bit header bytes, …). */
  decodeWarnings: number;
}

/** What the parts of the MM3 plugin share. */
export interface Mm3Deps {
  ctx: Mm3Context;
  options: Mm3Options;
  mailer: Mailer;
  stats: Mm3Stats;
}
