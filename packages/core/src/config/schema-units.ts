import { z } from 'zod';
import { parseDuration, parseSize } from '../util/duration.js';

/** A duration: milliseconds as a number, or a string such as `30s`, `5m`, `3d`. */
export const duration = z.union([z.number().nonnegative(), z.string()]).transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/** A byte size: a number, or a string such as `300KB`, `1MB`. */
export const byteSize = z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx) => {
  try {
    return parseSize(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});
