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
  return flattenUnions(error.issues, []).map((issue) => {
    let message = issue.message;
    if (issue.code === 'invalid_type' && /received undefined$/.test(message)) message = 'required';
    else if (issue.code === 'unrecognized_keys') message = `unknown option(s) ${issue.keys.join(', ')}`;
    return { path: formatPath(issue.path, prefix), message };
  });
}

/**
 * A union that failed says only "Invalid input". When every option but one failed on the kind
 * of value (a string where an object was given), the input was meant for that one: report its
 * issues, which name the field that is wrong.
 */
function flattenUnions(issues: readonly z.core.$ZodIssue[], base: readonly PropertyKey[]): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const meant = issue.errors.filter((branch) => !(branch.length === 1 && branch[0]!.code === 'invalid_type' && branch[0]!.path.length === 0));
      if (meant.length === 1) {
        out.push(...flattenUnions(meant[0]!, path));
        continue;
      }
    }
    out.push({ ...issue, path });
  }
  return out;
}
