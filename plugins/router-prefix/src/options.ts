import { z } from 'zod';

const route = z.object({
  prefix: z
    .string()
    .regex(/^(\*|\+\d*|@[A-Za-z0-9.-]*|#\d*)$/, 'a prefix starts with + (number), @ (e-mail domain) or # (short code), or is * (anything)')
    .describe('`+1555` (E.164 prefix), `@example.com` (e-mail domain and its subdomains), `@` (every e-mail address), `#123` (short code prefix), or `*` (anything).'),
  target: z.string().min(1).describe('Route target: `local`, `mm4`, `mm3`, `mm7`, or a custom deliverer.'),
  destination: z.string().optional().describe('Target-specific destination: peer MMSC domain, VASP id, relay host.'),
});

export const prefixRouterOptions = z.object({
  routes: z.array(route).default([]).describe('The table; the longest matching prefix wins.'),
  unmatched: z
    .enum(['next', 'reject'])
    .default('next')
    .describe('`next`: let the next resolver answer; `reject`: no route, recipient rejected.'),
});

export type PrefixRouterOptions = z.output<typeof prefixRouterOptions>;
