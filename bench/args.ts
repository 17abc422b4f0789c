// The command line of a bench: `--name value` options with their defaults, boolean flags, --help.
import { parseArgs } from 'node:util';

/**
 * Parses `process.argv` as a bench's options: each of `defaults` is a `--name value` option (a
 * string, as typed), each of `flags` a boolean; `--help` prints `usage` and exits; an unknown
 * option is an error, as with `parseArgs`.
 */
export function benchArgs<S extends string, F extends string = never>(usage: string, defaults: Record<S, string>, flags: readonly F[] = []): Record<S, string> & Record<F, boolean> {
  const options: Record<string, { type: 'string'; default: string } | { type: 'boolean'; default: boolean }> = { help: { type: 'boolean', default: false } };
  for (const [name, value] of Object.entries<string>(defaults)) options[name] = { type: 'string', default: value };
  for (const name of flags) options[name] = { type: 'boolean', default: false };
  const { values } = parseArgs({ options });
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  return values as Record<S, string> & Record<F, boolean>;
}
