import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';

/** ../shared/corpus beside the clone (the workspace is /work/main, the corpus /work/shared/corpus). */
export const CORPUS = fileURLToPath(new URL('../../../../shared/corpus/', import.meta.url));

export interface SourceEntry {
  file: string;
  kind: string;
  pdu_type?: string | null;
  size?: number;
  sha256?: string;
}

export function corpusSources(): SourceEntry[] {
  const out: SourceEntry[] = [];
  for (const d of readdirSync(CORPUS)) {
    const p = join(CORPUS, d, 'SOURCES.json');
    if (existsSync(p)) out.push(...(JSON.parse(readFileSync(p, 'utf8')) as SourceEntry[]));
  }
  return out;
}

export function readCorpus(file: string): Buffer {
  return readFileSync(join(CORPUS, file));
}

export function expectedFor(file: string): Record<string, unknown> | undefined {
  const p = join(CORPUS, file + '.expected.json');
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>) : undefined;
}

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Every MMS PDU file of the corpus (by SOURCES.json) plus the peer-encoder files. */
export function corpusPduFiles(): string[] {
  const files = corpusSources()
    .filter((s) => s.kind === 'mms-pdu')
    .map((s) => s.file);
  for (const f of readdirSync(join(CORPUS, 'peer-encoders'))) if (f.endsWith('.mms')) files.push('peer-encoders/' + f);
  return files;
}
