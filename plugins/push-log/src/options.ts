import { z } from 'zod';

export const pushLogOptions = z.object({
  file: z.string().optional().describe('Also append each notification as a JSON line to this file (relative to the config file).'),
  fail: z
    .enum(['never', 'always-retry', 'always-fail'])
    .default('never')
    .describe('For tests and demos: make every push succeed, ask for a retry, or fail for good.'),
});
export type PushLogOptions = z.output<typeof pushLogOptions>;
