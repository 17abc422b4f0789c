import { InvalidArgumentError } from 'commander';

/** A mistake in how a command was called: exit code 2 (bad input or config is 1). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Commander option parser for a positive integer option (`--batch 10`); anything else is a usage error. */
export function positiveInt(value: string): string {
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new InvalidArgumentError('expected a positive integer.');
  return value;
}
