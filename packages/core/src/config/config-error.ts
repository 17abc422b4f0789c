import type { z } from 'zod';

export interface ConfigProblem {
  /** `plugins[2] (@openmmsc/plugin-mm7).vasps[0].password` */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[], source?: string) {
    const head = source ? `invalid configuration in ${source}` : 'invalid configuration';
    super(`${head}:\n${problems.map((p) => `  ${p.path || '(root)'}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function formatPath(segments: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/** zod issues in config terms: a missing key says `required`, not "expected string, received undefined". */
export function problemsFromZod(error: z.ZodError, prefix = ''): ConfigProblem[] {
  return error.issues.map((issue) => {
    let message = issue.message;
    if (issue.code === 'invalid_type' && /received undefined$/.test(message)) message = 'required';
    else if (issue.code === 'unrecognized_keys') message = `unknown option(s) ${issue.keys.join(', ')}`;
    return { path: formatPath(issue.path, prefix), message };
  });
}
