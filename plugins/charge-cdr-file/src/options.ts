import { z } from 'zod';

export const cdrFileOptions = z.object({
  path: z.string().min(1).default('cdr/openmmsc-cdr.jsonl').describe('CDR file, relative to the config file; its directory is created.'),
  fsync: z.boolean().default(true).describe('fdatasync after each record, so a crash never loses an acknowledged CDR.'),
  events: z
    .array(
      z.enum([
        'submission',
        'recipient-rejected',
        'notified',
        'retrieved',
        'delivered',
        'forwarded',
        'expired',
        'delivery-report',
        'read-report',
      ]),
    )
    .default([])
    .describe('Events to record; empty means all.'),
});
export type CdrFileOptions = z.output<typeof cdrFileOptions>;
