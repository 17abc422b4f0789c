import { execFile } from 'node:child_process';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mm7EnvelopeSchema, XML_CATALOG } from '@openmmsc/conformance';
import type { MimeLeaf } from '@openmmsc/mime';
// The testkit's system-component checks by path: a workspace dependency on the testkit, which
// depends on this package, would be a cycle.
import { systemCommand } from '../../testkit/src/system/index.js';

export const textPart = (text: string, id = 'text1'): MimeLeaf => ({
  contentType: { type: 'text/plain', params: { charset: 'utf-8' } },
  contentId: id,
  contentLocation: `${id}.txt`,
  data: Buffer.from(text, 'utf8'),
});

export const imagePart = (bytes: number, id = 'image1'): MimeLeaf => {
  const data = Buffer.alloc(bytes, 0x5a);
  data[0] = 0xff;
  data[1] = 0xd8;
  data[bytes - 2] = 0xff;
  data[bytes - 1] = 0xd9;
  return { contentType: { type: 'image/jpeg', params: {} }, contentId: id, contentLocation: `${id}.jpg`, data };
};

const run = promisify(execFile);

/**
 * Validates SOAP envelopes with `xmllint --schema` against the XSD of their release (schemas in
 * conformance/specs/mm7). Guard the test with `requireSystem('xmllint')`.
 */
export async function validateEnvelopes(items: Array<{ release: string; xml: string; label: string }>): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'mm7-xsd-'));
  const problems: string[] = [];
  try {
    const byRelease = new Map<string, Array<{ file: string; label: string }>>();
    for (const [i, item] of items.entries()) {
      const file = join(dir, `${i}.xml`);
      await writeFile(file, item.xml);
      const list = byRelease.get(item.release) ?? [];
      list.push({ file, label: item.label });
      byRelease.set(item.release, list);
    }
    for (const [release, files] of byRelease) {
      // One xmllint run per release validates all its files.
      const args = ['--nonet', '--noout', '--schema', mm7EnvelopeSchema(release), ...files.map((f) => f.file)];
      try {
        await run(systemCommand('xmllint', 'xmllint'), args, { env: { ...process.env, XML_CATALOG_FILES: XML_CATALOG }, maxBuffer: 64 * 1024 * 1024 });
      } catch (error) {
        const e = error as { stderr?: string };
        const stderr = e.stderr ?? '';
        for (const f of files) {
          const lines = stderr.split('\n').filter((l) => l.startsWith(f.file) && !l.includes('validates') && !/warning/i.test(l));
          if (lines.length) problems.push(`${f.label} (${release}): ${lines.join(' | ').replaceAll(f.file, '')}`);
        }
        if (!problems.length) problems.push(`xmllint failed for ${release}: ${stderr.slice(0, 500)}`);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return problems;
}
