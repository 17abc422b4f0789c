import { z } from 'zod';

const onError = z
  .enum(['defer', 'reject', 'next'])
  .optional()
  .describe('When the lookup fails (timeout, server error): `defer` the recipient (temporary), `reject` it (permanent), or ask the `next` resolver. Default: the top-level `onError`.');
const onNotFound = z
  .enum(['next', 'reject'])
  .default('next')
  .describe('When the source has no answer for the number: ask the `next` resolver, or `reject` the recipient.');

const routeFields = {
  target: z.string().min(1).optional().describe('Route target (`local`, `mm4`, `mm3`, `mm7`, …); default `mm4`.'),
  destination: z.string().optional().describe('Target-specific destination (peer MMSC domain, VASP id).'),
  operator: z.string().optional().describe('Route to this operator (from `operators`) instead of target/destination.'),
};

/** The entries of a table resolver: each matches by `key` fields and routes like `routeFields`. */
function routeEntries<Key extends z.ZodRawShape>(key: Key, description: string) {
  return z
    .array(z.object({ ...key, ...routeFields }))
    .default([])
    .describe(description);
}

/** The answer cache of a resolver that asks a remote service per number. */
const answerCache = {
  cacheTtlMs: z.number().int().min(0).default(300_000).describe('How long an answer is cached (0: never).'),
  negativeTtlMs: z.number().int().min(0).default(60_000).describe('How long "not found" (no record) is cached.'),
  cacheSize: z.number().int().positive().default(100_000).describe('At most this many numbers are cached.'),
};

export const operatorSchema = z.object({
  id: z.string().min(1).describe('Operator id, as named by ENUM `rn=`/`spn=` parameters, HLR answers and table entries.'),
  domain: z
    .string()
    .optional()
    .describe('MMS domain of its MMSC; default `mms.mnc<MNC>.mcc<MCC>.gprs` from `mcc`/`mnc` (MNC padded to 3 digits).'),
  mcc: z.string().regex(/^\d{3}$/).optional().describe('Mobile country code.'),
  mnc: z.string().regex(/^\d{2,3}$/).optional().describe('Mobile network code.'),
  local: z.boolean().default(false).describe('This operator is us: its subscribers are routed `local`.'),
  target: z.string().default('mm4').describe('Route target for its subscribers when not local.'),
  prefixes: z.array(z.string().regex(/^\+\d+$/)).default([]).describe('Number ranges it was assigned (E.164 prefixes), used by the `operators` resolver.'),
  aliases: z.array(z.string()).default([]).describe('Other ids it is known by (routing numbers, HLR operator codes).'),
});

const prefixResolver = z.object({
  type: z.literal('prefix').describe('A prefix table: the longest matching prefix wins.'),
  name: z.string().optional().describe('Name in logs and in the route attribute `resolver` (default `<type>#<index>`).'),
  routes: routeEntries(
    { prefix: z.string().min(1).describe('`+1555` (E.164 prefix), `@example.com` (e-mail domain and subdomains), `@` (every e-mail address), `#12` (short code prefix), or `*`.') },
    'Table entries.',
  ),
  onNotFound,
});

const rangeResolver = z.object({
  type: z.literal('range').describe('Number ranges `from`–`to` (inclusive, same length); the narrowest matching range wins.'),
  name: z.string().optional().describe('Name in logs.'),
  ranges: routeEntries(
    {
      from: z.string().regex(/^\+\d+$/).describe('First number of the range (E.164).'),
      to: z.string().regex(/^\+\d+$/).describe('Last number of the range (E.164, same number of digits).'),
    },
    'Ranges.',
  ),
  onNotFound,
});

const operatorsResolver = z.object({
  type: z.literal('operators').describe('Routes by the `prefixes` of the top-level `operators` (number ranges before portability).'),
  name: z.string().optional().describe('Name in logs.'),
  onNotFound,
});

const localResolver = z.object({
  type: z.literal('local').describe('The local subscriber source: numbers this MMSC serves itself.'),
  name: z.string().optional().describe('Name in logs.'),
  numbers: z.array(z.string().regex(/^\+\d+$/)).default([]).describe('Subscriber numbers (E.164).'),
  prefixes: z.array(z.string().regex(/^\+\d+$/)).default([]).describe('Whole number blocks served locally.'),
  file: z.string().optional().describe('A file of subscriber numbers, one per line (`#` comments), relative to the config; re-read when it changes.'),
  onNotFound,
});

const enumResolver = z.object({
  type: z.literal('enum').describe('Number portability through ENUM: DNS NAPTR lookups (RFC 6116).'),
  name: z.string().optional().describe('Name in logs.'),
  servers: z.array(z.string()).default([]).describe('DNS servers (`host` or `host:port`); empty: the system resolvers.'),
  suffix: z.string().default('e164.arpa').describe('ENUM tree: `e164.arpa`, or an operator’s private tree such as `e164enum.net`.'),
  services: z
    .array(z.string())
    .default(['E2U+mms:mailto', 'E2U+mms:tel', 'E2U+pstn:tel', 'E2U+email:mailto'])
    .describe('Enumservices used, in preference order among records of equal order/preference (case-insensitive; `E2U+mms` matches any subtype).'),
  timeoutMs: z.number().int().positive().default(2000).describe('Per-try timeout of a DNS query.'),
  tries: z.number().int().min(1).max(5).default(2).describe('Tries per server.'),
  ...answerCache,
  onError,
  onNotFound,
});

const httpResolver = z.object({
  type: z.literal('http').describe('An HTTP HLR / MNP gateway: one request per number, JSON answer mapped to an operator or domain.'),
  name: z.string().optional().describe('Name in logs.'),
  url: z.string().url().describe('Request URL; `{number}` (E.164 with +, URL-encoded), `{digits}` and `{national}` are replaced.'),
  method: z.enum(['GET', 'POST']).default('GET').describe('HTTP method.'),
  headers: z.record(z.string(), z.string()).default({}).describe('Request headers (e.g. an API key).'),
  body: z.string().optional().describe('Request body template for POST (same placeholders), e.g. `{"msisdn":"{digits}"}`.'),
  timeoutMs: z.number().int().positive().default(3000).describe('Whole-request timeout.'),
  ...answerCache,
  notFoundStatus: z.array(z.number().int()).default([404]).describe('HTTP statuses that mean "number unknown" (not a failure).'),
  permanentStatus: z.array(z.number().int()).default([400, 403, 410, 422]).describe('HTTP statuses that are a permanent failure of this number (else non-2xx is temporary).'),
  response: z
    .object({
      fields: z.record(z.string(), z.string()).default({}).describe('Values taken from the JSON answer: name → dotted path (`result.network.mnc`, `items.0.op`).'),
      operator: z.string().optional().describe('Template naming the operator (from `operators`), e.g. `{operatorId}`.'),
      domain: z.string().optional().describe('Template of the MMS domain, e.g. `mms.mnc{mnc:3}.mcc{mcc}.gprs` (`:3` pads with zeros).'),
      target: z.string().optional().describe('Route target for a domain answer (default `mm4`, or `local` for one of `localDomains`).'),
    })
    .default({ fields: {} })
    .describe('How the answer maps to a route: an operator id, or a domain. A referenced field that is absent means "not found".'),
  onError,
  onNotFound,
});

export const resolverSchema = z.discriminatedUnion('type', [prefixResolver, rangeResolver, operatorsResolver, localResolver, enumResolver, httpResolver]);

export const mm5Options = z.object({
  resolvers: z
    .array(resolverSchema)
    .default([])
    .describe('Resolvers, asked in this order; the first confident answer wins.'),
  operators: z.array(operatorSchema).default([]).describe('Operators (ours and our MM4 peers) that resolvers can answer with.'),
  localDomains: z.array(z.string()).default([]).describe('MMS domains that are this MMSC: a lookup answering one of them routes `local`.'),
  onError: z
    .enum(['defer', 'reject', 'next'])
    .default('defer')
    .describe('Default failure policy of lookups: `defer` (temporary: the recipient is routed again later), `reject` (permanent) or `next`.'),
  retryAfterMs: z.number().int().positive().default(60_000).describe('Retry hint for deferred recipients.'),
  unmatched: z.enum(['next', 'reject']).default('next').describe('When no resolver of this plugin answers: leave the recipient to later resolvers, or reject it.'),
});

export type Mm5Options = z.output<typeof mm5Options>;
export type Mm5OptionsInput = z.input<typeof mm5Options>;
export type ResolverOptions = z.output<typeof resolverSchema>;
export type OperatorOptions = z.output<typeof operatorSchema>;
export type PrefixResolverOptions = z.output<typeof prefixResolver>;
export type RangeResolverOptions = z.output<typeof rangeResolver>;
export type LocalResolverOptions = z.output<typeof localResolver>;
export type EnumResolverOptions = z.output<typeof enumResolver>;
export type HttpResolverOptions = z.output<typeof httpResolver>;
