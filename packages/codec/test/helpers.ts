import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { CORPUS_DIR, corpusSources } from '@openmmsc/conformance';

/** The corpus inside the repository (conformance/corpus). */
export const CORPUS = CORPUS_DIR;
export { corpusSources, expectedFor, readCorpus, type SourceEntry } from '@openmmsc/conformance';

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
