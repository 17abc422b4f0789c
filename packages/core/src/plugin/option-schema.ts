import { z } from 'zod';

/**
 * A group of plugin options whose every field is optional or has a default: left out of the
 * config, it is parsed from `{}` (zod's `prefault`), so the group's own defaults apply and the
 * plugin always gets the whole object. `limits: optionGroup('Parser limits.', { maxParts: … })`.
 */
export function optionGroup<Shape extends z.ZodRawShape>(description: string, shape: Shape) {
  return z
    .object(shape)
    .prefault({} as z.input<z.ZodObject<Shape>>)
    .describe(description);
}

/** Where a server of a plugin listens: `host` and `port`, with the plugin's defaults. */
export function listenFields(host: string, port: number) {
  return {
    host: z.string().default(host).describe('Listen address.'),
    port: z.number().int().min(0).max(65535).default(port).describe('Listen port (0: any free port; the address is logged).'),
  };
}
