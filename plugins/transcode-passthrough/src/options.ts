import { z } from 'zod';

export const passthroughOptions = z.object({
  class: z.string().default('original').describe('Adaptation class name reported for every recipient.'),
});
export type PassthroughOptions = z.output<typeof passthroughOptions>;
