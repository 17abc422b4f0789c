import { z } from 'zod';
import { formatPath, problemsFromZod, type ConfigProblem } from './config-error.js';
import { walkConfig } from './schema-walk.js';

export interface ParsedConfig<T> {
  /** The parsed value, when zod accepted the input (unknown keys aside). */
  data: T | undefined;
  /** Unknown keys and zod's issues, in config terms; empty when the input is valid. */
  problems: ConfigProblem[];
}

/**
 * Validates config input with a zod schema the way the kernel does for its own schema and every
 * plugin's: unknown keys are refused (naming the nearest valid key), text from `${env:…}` is
 * typed where the schema wants a number or boolean, then zod parses. `prefix` starts every
 * problem's path, e.g. `plugins[1] (@openmmsc/plugin-router-prefix)`.
 */
export function parseConfig<S extends z.core.$ZodType>(schema: S, input: unknown, prefix = ''): ParsedConfig<z.output<S>> {
  const walked = walkConfig(schema, input);
  const problems: ConfigProblem[] = walked.issues.map((issue) => ({ path: formatPath(issue.path, prefix), message: issue.message }));
  const result = z.safeParse(schema, walked.value);
  if (!result.success) {
    problems.push(...problemsFromZod(result.error, prefix));
    return { data: undefined, problems };
  }
  return { data: result.data, problems };
}
