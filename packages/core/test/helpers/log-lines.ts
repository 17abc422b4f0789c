import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

/** One JSON log entry as pino wrote it. */
export type LogEntry = Record<string, unknown> & { level: number; msg?: string };

/** A pino logger at `level` whose entries a test reads as they are written (parsed, in order). */
export function readableLogger(level: pino.LevelWithSilent = 'info'): { logger: Logger; lines: LogEntry[]; warnings(): string[] } {
  const lines: LogEntry[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l) as LogEntry);
      cb();
    },
  });
  return {
    logger: pino({ level }, sink),
    lines,
    warnings: () => lines.filter((l) => l.level === 40).map((l) => String(l.msg)),
  };
}
