import { byteSize as size, duration } from '@openmmsc/core';
import { z } from 'zod';

const EVENTS = ['submission', 'recipient-rejected', 'notified', 'retrieved', 'delivered', 'forwarded', 'expired', 'delivery-report', 'read-report'] as const;

const fileWriter = z.object({
  type: z.literal('file').describe('Rotating CDR files.'),
  format: z.enum(['csv', 'jsonl']).default('jsonl').describe('`csv` (RFC 4180, header line per file) or `jsonl` (one JSON object per line).'),
  directory: z.string().default('cdr').describe('Directory of the files, relative to the config file; created if missing.'),
  prefix: z.string().regex(/^[A-Za-z0-9._-]+$/).default('openmmsc-cdr').describe('File name prefix: `<prefix>-<UTC time>-<seq>.<csv|jsonl>`; the file being written ends in `.open`.'),
  maxSize: size.default(10 * 1024 * 1024).describe('Rotate before a file would exceed this many bytes (`10MB` or a number).'),
  maxAge: duration.default(3_600_000).describe('Rotate a file this long after it was opened (`1h`, ms; 0 = never).'),
  sync: z
    .enum(['record', 'batch', 'none'])
    .default('batch')
    .describe('`record`: one write + fdatasync per CDR; `batch`: CDRs that arrive together share one write + fdatasync; `none`: no fdatasync (a crash may lose recent CDRs).'),
  fields: z.array(z.string()).optional().describe('CSV columns, in order (default: every CDR field).'),
});

const httpWriter = z.object({
  type: z.literal('http').describe('POST batches of CDRs to a billing endpoint.'),
  url: z.string().url().describe('Billing endpoint.'),
  headers: z.record(z.string(), z.string()).default({}).describe('Extra request headers (e.g. Authorization).'),
  format: z.enum(['json', 'ndjson']).default('json').describe('Body: a JSON array, or newline-delimited JSON.'),
  batchSize: z.number().int().min(1).default(100).describe('CDRs per POST at most.'),
  flushInterval: duration.default(1000).describe('Send a partial batch after this long.'),
  timeout: duration.default(5000).describe('Per-request timeout.'),
  attempts: z.number().int().min(1).default(5).describe('Attempts whose delay doubles; later attempts keep the last delay. A batch is a durable job, retried until the endpoint accepts it, across restarts.'),
  retryBase: duration.default(500).describe('First retry delay; doubles each attempt (for `attempts` attempts).'),
  maxQueue: z.number().int().min(1).default(100_000).describe('CDRs held in memory at most while they wait for their batch; the oldest are dropped beyond it (counted in a metric).'),
});

export const mm8Options = z.object({
  events: z.array(z.enum(EVENTS)).default([]).describe('Events to record; empty means all.'),
  writers: z
    .array(z.discriminatedUnion('type', [fileWriter, httpWriter]))
    .min(1)
    .default([{ type: 'file', format: 'jsonl', directory: 'cdr', prefix: 'openmmsc-cdr', maxSize: 10 * 1024 * 1024, maxAge: 3_600_000, sync: 'batch' }])
    .describe('Where CDRs go; every writer gets every CDR.'),
});

export type Mm8Options = z.output<typeof mm8Options>;
export type FileWriterOptions = z.output<typeof fileWriter>;
export type HttpWriterOptions = z.output<typeof httpWriter>;
