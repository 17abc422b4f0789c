import type { KeyValueStore, MmscRuntime, PluginJobs } from '@openmmsc/core';
import type { MailHead, MimeLimits, ParsedMail } from './mime.js';
import type { Mm4Options } from './options.js';
import type { ServerLog } from './server.js';
import type { PeerTransports } from './transport.js';

export interface Mm4Context {
  name: string;
  mmsc: MmscRuntime;
  kv: KeyValueStore;
  /** Durable jobs (MM4_*.RES answers are sent by one). */
  jobs: PluginJobs;
  log: ServerLog & { error(obj: object, msg?: string): void };
  now: () => number;
  /** Counts inbound decode warnings (a metric). */
  countDecodeWarnings?: (count: number) => void;
  /**
   * Reads a message's content (see ContentReader, which may take it to a thread: `head.body` is
   * not read again once handed over); default: on the event loop.
   */
  readContent?: (head: MailHead, limits: MimeLimits) => Promise<ParsedMail>;
}

/** Counters for metrics and tests. */
export interface Mm4Stats {
  forwarded: number;
  received: number;
  reportsSent: number;
  reportsReceived: number;
  responsesSent: number;
  refused: number;
  /** Inbound messages read past a deviation (see `ParsedMail.warnings`). */
  decodeWarnings: number;
}

/** What the parts of the MM4 plugin share. */
export interface Mm4Deps {
  ctx: Mm4Context;
  options: Mm4Options;
  transports: PeerTransports;
  stats: Mm4Stats;
}

/** What we remember about a recipient we forwarded (kv `fwd:<messageId>:<index>`). */
export interface ForwardRecord {
  peer: string;
  transactionId: string;
}

/** How long forward records outlive a message's expiry. */
export const KEEP_MS = 30 * 24 * 3600 * 1000;
