import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { systemCommand } from '../system/index.js';

const run = promisify(execFile);
const READER = fileURLToPath(new URL('../../python/read-mail.py', import.meta.url));

/** A mail as Python's `email` package (a parser the MMSC does not use) reads it. */
export interface PythonMailView {
  /** Every header, decoded (RFC 2047), in order. */
  headers: Array<[name: string, value: string]>;
  /** The header block is plain ASCII (no raw 8-bit bytes). */
  header_bytes_ascii: boolean;
  /** Defects Python found (missing boundaries, bad base64, …), by class name. */
  defects: string[];
  content_type: string;
  params: Record<string, string>;
  parts: Array<{ content_type: string; content_id: string | null; filename: string | null; size: number }>;
}

/** Reads raw mails with python3's `email` package (needs `python3`). */
export async function readMailWithPython(...mails: Uint8Array[]): Promise<PythonMailView[]> {
  const dir = await mkdtemp(join(tmpdir(), 'openmmsc-python-mail-'));
  try {
    const files = await Promise.all(
      mails.map(async (raw, i) => {
        const file = join(dir, `${i}.eml`);
        await writeFile(file, raw);
        return file;
      }),
    );
    const { stdout } = await run(systemCommand('python3', 'python3'), [READER, ...files]);
    return JSON.parse(stdout) as PythonMailView[];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The decoded values of one header in a Python view. */
export function headerValues(view: PythonMailView, name: string): string[] {
  return view.headers.filter(([k]) => k.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
}
