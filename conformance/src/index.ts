/**
 * Where the conformance material lives, and small readers for it. Everything here is test input
 * kept inside the repository (see ../README.md): tests read only from here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `conformance/` folder (this module runs from `src/` or `dist/`). */
export const CONFORMANCE_DIR = fileURLToPath(new URL('../', import.meta.url));
/** PDUs, mails and SOAP messages written by others (and by us), each source in its own folder. */
export const CORPUS_DIR = join(CONFORMANCE_DIR, 'corpus');
/** The 3GPP TS 23.140 MM7 schemas of every release, the SOAP 1.1 envelope schema, a catalog. */
export const MM7_SCHEMA_DIR = join(CONFORMANCE_DIR, 'specs', 'mm7');
/** Maps the SOAP envelope schema's URL to the local copy: pass as XML_CATALOG_FILES to xmllint. */
export const XML_CATALOG = join(MM7_SCHEMA_DIR, 'catalog.xml');
/** The OMA STI 1.0 schema (MM11 transcoding requests and responses). */
export const STI_SCHEMA = join(CONFORMANCE_DIR, 'specs', 'sti', 'OMA-TS-SCHEMA-STI-V1_0-20050607-C.xsd');

/** A schema that validates a whole SOAP envelope whose body is a message of `release` (e.g. `REL-6-MM7-1-4`). */
export function mm7EnvelopeSchema(release: string): string {
  const file = join(MM7_SCHEMA_DIR, `envelope-${release}.xsd`);
  if (!existsSync(file)) throw new Error(`no MM7 schema for release ${release}`);
  return file;
}

/** One entry of a source folder's SOURCES.json. */
export interface SourceEntry {
  /** Path under the corpus folder. */
  file: string;
  kind: string;
  pdu_type?: string | null;
  license: string;
  size?: number;
  sha256?: string;
  repo?: string;
  path?: string;
  commit?: string;
}

/** Every SOURCES.json entry of the corpus. */
export function corpusSources(): SourceEntry[] {
  const out: SourceEntry[] = [];
  for (const d of readdirSync(CORPUS_DIR)) {
    const p = join(CORPUS_DIR, d, 'SOURCES.json');
    if (existsSync(p)) out.push(...(JSON.parse(readFileSync(p, 'utf8')) as SourceEntry[]));
  }
  return out;
}

/** The absolute path of a corpus file (`mmsd/unit/ni-mms-1-3-con-271.mms`). */
export function corpusPath(file: string): string {
  return join(CORPUS_DIR, file);
}

export function readCorpus(file: string): Buffer {
  return readFileSync(corpusPath(file));
}

/** The expected values written beside a sample (`X.expected.json`), if there are any. */
export function expectedFor<T = Record<string, unknown>>(file: string): T | undefined {
  const p = corpusPath(`${file}.expected.json`);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as T) : undefined;
}
