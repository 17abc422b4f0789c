import { hostname } from 'node:os';
import { z } from 'zod';
import { admissionSchema, peerLimitsSchema, senderLimitsSchema } from './admission-schema.js';
import { httpListenerOverrides, listenersSchema } from './listener-schema.js';
import { byteSize, duration } from './schema-units.js';
import { certificateRuleSchema, tlsServerSchema } from './tls-schema.js';
import { parseDuration } from '../util/duration.js';

export { byteSize, duration } from './schema-units.js';

const hostPort = z.object({
  host: z.string().min(1).describe('Host name or address.'),
  port: z.coerce.number().int().min(1).max(65535).describe('TCP port.'),
});

// Validated, not transformed: a transform inside the union hides the store's default from the
// generated docs. The queue reads it with parseDuration and applies 3s when absent.
const lease = z
  .union([z.number().nonnegative(), z.string()])
  .optional()
  .refine((value) => {
    if (value === undefined) return true;
    try {
      parseDuration(value);
      return true;
    } catch {
      return false;
    }
  }, 'a duration: milliseconds, or a string such as 500ms, 3s')
  .describe(
    'Job queue (default 3s): how long a claimed job stays with its node without a heartbeat. A job of a node that died is taken over by another about this long (plus up to a second) later; a node whose event loop stalls longer may see its job run twice.',
  );

const redisBackend = z
  .object({
    type: z.literal('redis').describe('Shared Redis/Valkey for cluster mode: one server, a Sentinel-monitored master, or a Redis Cluster.'),
    url: z.string().url().optional().describe('One server: redis://[user:password@]host:port[/db]. Give `url`, `sentinels` or `cluster`.'),
    sentinels: z.array(hostPort).min(1).optional().describe('Redis Sentinel: the sentinels to ask for the current master (follows fail-overs).'),
    name: z.string().min(1).optional().describe('With `sentinels`: the master name they monitor.'),
    cluster: z.array(hostPort).min(1).optional().describe('Redis Cluster: some of its nodes (the rest are discovered).'),
    username: z.string().optional().describe('ACL user (with `sentinels` or `cluster`; a `url` carries its own).'),
    password: z.string().optional().describe('Password of the Redis servers (with `sentinels` or `cluster`).'),
    sentinelPassword: z.string().optional().describe('Password of the sentinels, when they require one.'),
    prefix: z.string().default('openmmsc').describe('Key prefix, to share one server between MMSCs.'),
    durability: z
      .enum(['always', 'everysec', 'none'])
      .default('always')
      .describe(
        "What an acknowledged message survives, checked against the server's `appendonly`/`appendfsync` at start (a mismatch is logged and shown on /ready/durability): `always` = a crash of Redis or of its machine (AOF, appendfsync always); `everysec` = a crash of Redis, up to ~1 s lost if its machine dies; `none` = nothing after the last RDB save.",
      ),
    lease,
  })
  .superRefine((value, ctx) => {
    const forms = [value.url && 'url', value.sentinels && 'sentinels', value.cluster && 'cluster'].filter(Boolean);
    if (forms.length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: forms.length === 0 ? 'required: give url, sentinels or cluster' : `give one of url, sentinels, cluster (not ${forms.join(' and ')})` });
    }
    if (value.sentinels && !value.name) ctx.addIssue({ code: 'custom', path: ['name'], message: 'required with sentinels: the master name they monitor' });
  });

const postgresBackend = z.object({
  type: z.literal('postgres').describe('Shared PostgreSQL for cluster mode.'),
  url: z.string().url().describe('postgres://[user:password@]host:port/database'),
  schema: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,47}$/, 'lower-case letters, digits and _, at most 48')
    .default('openmmsc')
    .describe('Schema holding the tables (created if missing), to share one database between MMSCs.'),
  poolSize: z.number().int().min(1).default(10).describe('Most connections this node opens (per store and per queue).'),
  lease,
});

const backendSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('sqlite').describe('Embedded SQLite file; no server needed.'),
    path: z.string().min(1).describe('SQLite file, relative to the config file.'),
    bodyFilesAbove: byteSize
      .prefault('64KB')
      .describe(
        'Store only: part bodies larger than this are kept as files in `<path>.bodies/` beside the SQLite file, written and read off the event loop (back the two up together). A size larger than `limits.maxMessageSize` keeps every body in SQLite. Adapted variants always stay in SQLite (fitted to a class, read on every retrieval).',
      ),
  }),
  redisBackend,
  postgresBackend,
]);
export type BackendConfig = z.output<typeof backendSchema>;
export type RedisBackendConfig = z.output<typeof redisBackend>;
export type PostgresBackendConfig = z.output<typeof postgresBackend>;

function jobPolicy(defaults: { maxAttempts: number; base: string; max: string; concurrency: number }) {
  return z
    .object({
      maxAttempts: z.number().int().min(1).default(defaults.maxAttempts).describe('Attempts in all before giving up.'),
      backoffBase: duration.prefault(defaults.base).describe('Delay before the second attempt; doubles each time.'),
      backoffMax: duration.prefault(defaults.max).describe('Longest delay between attempts.'),
      jitter: z.number().min(0).max(1).default(0.2).describe('Random share of each delay (0 = none, 1 = full).'),
      concurrency: z.number().int().min(1).default(defaults.concurrency).describe('Parallel jobs of this kind per node.'),
    })
    .prefault({});
}

const pluginEntry = z.union([
  z.string().min(1),
  z.object({
    name: z.string().min(1).describe('npm package name or a path to a module exporting a plugin.'),
    options: z.record(z.string(), z.unknown()).default({}),
    enabled: z.boolean().default(true),
  }),
]);

export const kernelConfigSchema = z.object({
  node: z
    .object({
      id: z
        .string()
        .min(1)
        .optional()
        .transform((id) => id ?? hostname())
        .describe('Name of this node in logs, metrics and CDRs (default: the host name).'),
      workers: z
        .union([z.number().int().min(1).max(256), z.literal('auto')])
        .default(1)
        .describe(
          "Worker processes of this node (`openmmsc start`, `runNode`): a primary supervises them, they share the listening ports and the store (the embedded SQLite file, or the cluster's Redis/PostgreSQL), and a worker that dies is restarted. `auto`: one per core. 1: one process, no primary.",
        ),
    })
    .prefault({})
    .describe('This node.'),
  store: backendSchema
    .prefault({ type: 'sqlite', path: '.data/openmmsc.sqlite' })
    .describe('Message store: metadata, parts and recipient state.'),
  queue: backendSchema.optional().describe('Job queue; defaults to the same backend as the store.'),
  admin: z
    .object({
      enabled: z.boolean().default(true).describe('Serve the admin endpoints.'),
      host: z.string().default('127.0.0.1').describe('Address to listen on; keep it private.'),
      port: z.coerce.number().int().min(0).max(65535).default(9090).describe('0 picks a free port.'),
      tls: tlsServerSchema.optional().describe('Serve HTTPS with this certificate (and, with `requestCert`, require a client certificate).'),
      clients: z
        .array(certificateRuleSchema)
        .default([])
        .describe('With `tls.requestCert`: the client certificates allowed (signed by `tls.ca` and matching one entry); empty: any signed by `tls.ca`.'),
      listener: httpListenerOverrides,
    })
    .prefault({})
    .describe('Admin HTTP server: /health, /ready, /metrics.'),
  log: z
    .object({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level; logs are JSON lines on stdout.'),
    })
    .prefault({})
    .describe('Logging.'),
  addressing: z
    .object({
      defaultCountryCode: z.string().regex(/^\d{1,3}$/).optional().describe('Completes national numbers.'),
      internationalPrefix: z.string().regex(/^\d*$/).default('00').describe('Dialled prefix of international numbers given without `+`.'),
      nationalPrefix: z.string().regex(/^\d*$/).default('0').describe('Dialled prefix of national numbers.'),
      shortCodeMaxDigits: z.number().int().min(0).max(10).default(6).describe('Digit strings up to this long are short codes.'),
    })
    .prefault({})
    .describe('How addresses without `+` or a type are normalised.'),
  limits: z
    .object({
      maxMessageSize: byteSize.prefault('1MB').describe('Largest message accepted on any interface.'),
      maxRecipients: z.number().int().min(1).default(100).describe('Most recipients (To + Cc + Bcc) per message.'),
      senders: senderLimitsSchema,
      peers: peerLimitsSchema,
    })
    .prefault({})
    .describe('Limits checked in the receive stage.'),
  listeners: listenersSchema,
  admission: admissionSchema,
  expiry: z
    .object({
      default: duration.prefault('3d').describe('Expiry when the sender set none.'),
      max: duration.prefault('7d').describe('Cap on any expiry the sender asks for.'),
      retention: duration.prefault('1d').describe('How long a finished message is kept before deletion.'),
    })
    .prefault({})
    .describe('Message expiry (X-Mms-Expiry is capped by `max`).'),
  jobs: z
    .object({
      notify: jobPolicy({ maxAttempts: 8, base: '30s', max: '1h', concurrency: 64 }).describe(
        'Notifications. Waiting for the push bearer (SMSC down or throttling) uses no attempt and is bounded by the message expiry; `maxAttempts` counts real failures, after which the job starts over after `backoffMax`, until expiry.',
      ),
      deliver: jobPolicy({ maxAttempts: 12, base: '1m', max: '2h', concurrency: 16 }),
      report: jobPolicy({ maxAttempts: 12, base: '1m', max: '2h', concurrency: 8 }),
      expire: jobPolicy({ maxAttempts: 5, base: '1m', max: '30m', concurrency: 4 }),
      renotify: z
        .object({
          after: duration.prefault(0).describe('Notify again this long after a notification that was not followed by a retrieval (0 = never).'),
          max: z.number().int().min(0).default(0).describe('Most repeat notifications per recipient.'),
        })
        .prefault({})
        .describe('Repeat notifications for handsets that did not fetch.'),
    })
    .prefault({})
    .describe('Attempt budgets, back-off and concurrency per job kind.'),
  services: z
    .object({
      pushBearer: z.string().optional().describe('Plugin whose push bearer to use when several provide one.'),
      transcoder: z.string().optional().describe('Plugin whose transcoder to use when several provide one.'),
    })
    .prefault({})
    .describe('Which plugin provides a single service when several do.'),
  links: z
    .object({
      secret: z
        .string()
        .min(32)
        .optional()
        .describe(
          'Key that signs links to stored content (HMAC-SHA256; MM1 `/o/…` originals). Give it as `${env:…}`; default: generated once and kept in the store, so every node of a cluster shares it.',
        ),
    })
    .prefault({})
    .describe('Signed links to stored content.'),
  shutdown: z
    .object({
      graceMs: duration.prefault('15s').describe('Longest wait for running jobs on SIGTERM (and, with `retrievalGrace`, for the whole drain).'),
      retrievalGrace: duration
        .prefault('5s')
        .describe(
          'After the jobs drained, how long interfaces keep serving handsets this node notified (within that time before) until each has fetched and acknowledged; never past `graceMs` from the start of the stop.',
        ),
    })
    .prefault({})
    .describe('Graceful stop.'),
  plugins: z.array(pluginEntry).default([]).describe('The plugins, in the order their hooks run.'),
});

export type KernelConfigInput = z.input<typeof kernelConfigSchema>;
export type KernelConfig = z.output<typeof kernelConfigSchema>;
export type JobPolicyConfig = KernelConfig['jobs']['notify'];
