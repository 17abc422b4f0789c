import { byteSize as size, duration } from '@openmmsc/core';
import { z } from 'zod';

const list = z
  .object({
    numbers: z.array(z.string()).default([]).describe('Exact phone numbers (E.164, `+…`).'),
    prefixes: z.array(z.string()).default([]).describe('Number prefixes (`+1900`).'),
    domains: z.array(z.string()).default([]).describe('E-mail domains (and their subdomains).'),
    vasps: z.array(z.string()).default([]).describe('VASP ids (MM7 origin `vaspId`).'),
    peers: z.array(z.string()).default([]).describe('Origin peers (MM4 domains, client addresses).'),
  })
  .default({ numbers: [], prefixes: [], domains: [], vasps: [], peers: [] });

const action = z.enum(['reject', 'quarantine', 'tag']);

export const antispamOptions = z.object({
  counters: z
    .object({
      type: z.enum(['auto', 'memory', 'redis']).default('auto').describe('`memory` (one node), `redis` (shared by the cluster), `auto`: Redis when the kernel store is Redis.'),
      url: z.string().optional().describe('Redis URL (default: the kernel store\'s).'),
      keyPrefix: z.string().default('openmmsc:antispam:').describe('Prefix of every Redis key.'),
    })
    .default({ type: 'auto', keyPrefix: 'openmmsc:antispam:' })
    .describe('Where rate-limit and duplicate counters live.'),
  interfaces: z.array(z.string()).default([]).describe('Check only messages from these interfaces (empty: all).'),
  allow: list.describe('Senders that skip the anti-spam checks (never the virus scan).'),
  block: list.describe('Senders refused outright (service denied).'),
  maxRecipients: z
    .object({
      default: z.number().int().min(1).optional().describe('Most recipients per message.'),
      perInterface: z.record(z.string(), z.number().int().min(1)).default({}).describe('Per origin interface, e.g. `{ mm7: 1000, mm1: 20 }`.'),
    })
    .default({ perInterface: {} })
    .describe('Recipient-count limits (answered too-many-recipients).'),
  rateLimits: z
    .array(
      z.object({
        scope: z.enum(['sender', 'vasp', 'peer', 'destination', 'interface']).describe('What is counted: the sender, the VASP, the origin peer, each recipient, or the whole interface.'),
        limit: z.number().int().min(1).describe('Messages allowed per window (also the burst).'),
        window: duration.describe('Window (`1m`, `1h`, ms); tokens refill evenly over it.'),
        interfaces: z.array(z.string()).default([]).describe('Apply only to these origin interfaces (empty: all).'),
        perRecipient: z.boolean().default(false).describe('Count one token per recipient instead of per message.'),
      }),
    )
    .default([])
    .describe('Token buckets; over the limit the message (or, for `destination`, that recipient) is refused with limit-exceeded.'),
  duplicates: z
    .object({
      enabled: z.boolean().default(false).describe('Detect the same content sent to many recipients.'),
      window: duration.default(600_000).describe('How long a content hash is remembered.'),
      maxRecipients: z.number().int().min(1).default(50).describe('Distinct recipients of the same content within the window before it counts as bulk.'),
      score: z.number().default(10).describe('Score added when over the limit.'),
    })
    .default({ enabled: false, window: 600_000, maxRecipients: 50, score: 10 })
    .describe('Duplicate-content detection (SHA-256 of the parts\' types and bytes).'),
  keywords: z
    .array(
      z.object({
        pattern: z.string().min(1).describe('Text to find (case-insensitive), or a regular expression when `regex`.'),
        regex: z.boolean().default(false).describe('Treat `pattern` as a regular expression.'),
        score: z.number().default(5).describe('Score added per rule that matches.'),
      }),
    )
    .default([])
    .describe('Rules on the text of text/* parts and the subject.'),
  contentTypes: z
    .array(
      z.object({
        type: z.string().describe('Content type, or `type/*`.'),
        score: z.number().default(10).describe('Score added when a part has this type.'),
      }),
    )
    .default([])
    .describe('Rules on part content types.'),
  actions: z
    .object({
      tag: z.number().optional().describe('Score from which the message is tagged (X-Spam-Score / X-Spam-Flag headers, `antispam.score` attribute).'),
      quarantine: z.number().optional().describe('Score from which the message is accepted but held, never delivered.'),
      reject: z.number().default(10).describe('Score from which the message is refused (spam).'),
    })
    .default({ reject: 10 })
    .describe('What a score leads to; the highest threshold reached wins.'),
  antivirus: z
    .object({
      enabled: z.boolean().default(false).describe('Scan every part with clamd.'),
      host: z.string().default('127.0.0.1').describe('clamd TCPAddr.'),
      port: z.number().int().min(1).max(65535).default(3310).describe('clamd TCPSocket.'),
      socket: z.string().optional().describe('clamd LocalSocket path (instead of host/port).'),
      timeout: duration.default(10_000).describe('Per-scan timeout.'),
      chunkSize: size.default(64 * 1024).describe('INSTREAM chunk size.'),
      onError: z.enum(['accept', 'defer', 'reject']).default('defer').describe('Scanner down or failing: `accept` (fail-open), `defer` (try later) or `reject`.'),
    })
    .default({ enabled: false, host: '127.0.0.1', port: 3310, timeout: 10_000, chunkSize: 64 * 1024, onError: 'defer' })
    .describe('Anti-virus through ClamAV\'s clamd (INSTREAM).'),
});

export type AntispamOptions = z.output<typeof antispamOptions>;
export type ListOptions = AntispamOptions['allow'];
export type SpamAction = z.output<typeof action>;
