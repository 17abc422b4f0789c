import { z } from 'zod';

export const helloOptions = z.object({
  shortCode: z.string().regex(/^\d{3,6}$/).default('4355').describe('Short code that answers every message sent to it.'),
  greeting: z.string().default('Hello!').describe('First words of the answer.'),
  bannedWords: z.array(z.string().min(1)).default([]).describe('Messages whose text contains one of these are refused.'),
});
export type HelloOptions = z.output<typeof helloOptions>;
