import { duration, optionGroup } from '@openmmsc/core';
import { z } from 'zod';

export const ROLES = ['view', 'operate', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const account = z.object({
  user: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/).describe('Log-in name (letters, digits, `._@-`).'),
  passwordHash: z
    .string()
    .regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/, 'an scrypt hash made by `openmmsc-console-password` (plain passwords are refused)')
    .describe('scrypt hash of the password, made with `openmmsc-console-password` (never the password itself).'),
  role: z.enum(ROLES).describe('`view`: read pages; `operate`: also act on messages and run campaigns; `admin`: everything.'),
});

export const consoleOptions = z.object({
  accounts: z
    .array(account)
    .min(1, 'the console needs at least one account (there is no default password)')
    .describe('Who may log in. The console is off unless this plugin is configured; there is no default account.'),
  prefix: z.string().regex(/^\/[a-z0-9-]+$/).default('/console').describe('Path on the admin server the console is served under.'),
  session: optionGroup('Log-in sessions (kept in the shared store: any node of a cluster knows them).', {
    ttl: duration.prefault('8h').describe('A session ends this long after log-in, whatever its use.'),
    idle: duration.prefault('30m').describe('A session ends after this long without a request.'),
  }),
  login: optionGroup('Log-in throttling.', {
    maxFailures: z.number().int().min(1).default(5).describe('Failed log-ins allowed per user within `window` (four times as many per client address).'),
    window: duration.prefault('15m').describe('Window of `maxFailures`; after it the count starts again.'),
  }),
  secureCookie: z
    .enum(['auto', 'always', 'never'])
    .default('auto')
    .describe('`Secure` on the session cookie: `auto` when the admin server serves TLS.'),
  trace: optionGroup('Message search: an index of submissions in time buckets, scanned within limits.', {
    retention: duration.prefault('7d').describe('How long the search index keeps a message (the message itself lives as long as the store keeps it).'),
    maxWindow: duration.prefault('24h').describe('Longest time range one search scans (the newest part of a longer range is scanned).'),
    maxScan: z.number().int().min(100).default(200_000).describe('Most index entries one search reads before it stops and says so.'),
    maxResults: z.number().int().min(1).max(1000).default(200).describe('Most messages one search lists.'),
    flushMs: duration.prefault('1s').describe('Index entries are written in batches this often (one store write per batch).'),
  }),
  traffic: optionGroup('Live traffic charts: every node\'s figures (through the shared store), added up and per node.', {
    sampleMs: duration.prefault('10s').describe('How often each node samples its traffic figures from its metrics and publishes them to the shared store.'),
  }),
  alarms: optionGroup('Alarms: a link down or a queue too deep; shown, logged, exported as `openmmsc_console_alarms_active`.', {
    queueThreshold: z.number().int().min(1).default(1000).describe('A job kind with more jobs due or held (its backlog; delayed jobs such as expiries do not count) than this raises an alarm.'),
    webhook: z.url().optional().describe('Each alarm raised or cleared is POSTed here as JSON.'),
  }),
});

export type ConsoleOptions = z.output<typeof consoleOptions>;
export type ConsoleOptionsInput = z.input<typeof consoleOptions>;
