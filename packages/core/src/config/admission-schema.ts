import { z } from 'zod';
import { byteSize, duration } from './schema-units.js';

export const admissionSchema = z
  .object({
    maxEventLoopDelay: duration
      .prefault('1s')
      .describe('Event-loop delay (99th percentile, or how late the sample itself ran) above which, in two samples running in which the loop was busy at least 90% of the time, new submissions are refused until it falls (0: off).'),
    maxInFlight: z.number().int().min(0).default(256).describe('Submissions being processed on this node at once; more are refused (0: no limit).'),
    maxQueueDepth: z.number().int().min(0).default(50_000).describe('Jobs due and waiting in the queue above which new submissions are refused (0: no limit).'),
    minFreeDisk: byteSize
      .prefault('256MB')
      .describe('Free space on the store\'s disk below which new submissions are refused and `/ready` answers 503; retrievals go on (0: off).'),
    diskPath: z.string().min(1).optional().describe('Directory whose disk is watched (default: the SQLite store\'s; none with a Redis store).'),
    sampleInterval: duration.prefault('1s').describe('How often event-loop delay and queue depth are read.'),
    diskInterval: duration.prefault('10s').describe('How often free disk space is read.'),
    retryAfter: duration.prefault('5s').describe('Retry-After given with a refusal for load.'),
  })
  .prefault({})
  .describe('Load shedding: new submissions get each interface\'s transient refusal (MM1 Error-transient-network-problem, MM7 4006 / HTTP 503, SMTP 451) instead of queueing without bound. Retrievals and acknowledgements are never shed.');

function perWindow(defaults: { messages: number; bytes: string; interfaces: string[] }, what: string) {
  return z
    .object({
      enabled: z.boolean().default(true).describe(`Count and limit ${what}.`),
      window: duration.prefault('1h').describe('Window the limits are counted over (tokens refill evenly over it).'),
      messages: z.number().int().min(1).default(defaults.messages).describe('Messages per window (also the largest burst).'),
      bytes: byteSize.prefault(defaults.bytes).describe('Bytes of content per window.'),
      interfaces: z.array(z.string().min(1)).default(defaults.interfaces).describe('Ingress interfaces counted (empty: all).'),
    })
    .prefault({});
}

export const senderLimitsSchema = perWindow({ messages: 500, bytes: '200MB', interfaces: ['mm1', 'mm3', 'mm4'] }, 'what each sender address submits').describe(
  'Per-sender limits in the receive stage, counted per sender address (shared by a cluster through its Redis or PostgreSQL store). Over them a message is refused for now (limit-exceeded, transient, with Retry-After).',
);

export const peerLimitsSchema = perWindow({ messages: 100_000, bytes: '5GB', interfaces: ['mm4', 'mm7', 'eaif'] }, 'what each peer account submits').describe(
  'Per-peer limits in the receive stage, counted per account (MM4 peer domain, VASP, EAIF application: the origin peer). Over them a message is refused for now (limit-exceeded, transient, with Retry-After).',
);

export type AdmissionConfig = z.output<typeof admissionSchema>;
export type WindowLimitConfig = z.output<typeof senderLimitsSchema>;
