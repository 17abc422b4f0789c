/**
 * Every file of the conformance material says where it comes from and under which licence, the
 * bytes are the ones recorded, each third-party source carries its licence text, our own samples
 * are exactly what their generator writes, and no published package ships any of it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { CONFORMANCE_DIR, CORPUS_DIR, MM7_SCHEMA_DIR, corpusSources } from '@openmmsc/conformance';

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Files that describe a source rather than being part of it. */
const META = /(^|\/)(SOURCES\.json|README\.md|COPYING|LICENSE[^/]*|generate\.mjs)$|\.expected\.json$/;
const OURS = /^Apache-2\.0/;

describe('conformance material: provenance and licences', () => {
  const sources = corpusSources();

  it('every corpus file is listed in its source’s SOURCES.json, with the recorded size and sha256', () => {
    const listed = new Map(sources.map((s) => [s.file, s]));
    const onDisk = filesUnder(CORPUS_DIR).map((f) => relative(CORPUS_DIR, f)).filter((f) => !META.test(f));
    assert.ok(onDisk.length > 150, `${onDisk.length} files`);
    for (const f of onDisk) {
      const entry = listed.get(f);
      assert.ok(entry, `${f} has no SOURCES.json entry`);
      if (entry.size !== undefined) assert.equal(statSync(join(CORPUS_DIR, f)).size, entry.size, f);
      if (entry.sha256) assert.equal(sha256(join(CORPUS_DIR, f)), entry.sha256, f);
    }
    for (const s of sources) assert.ok(existsSync(join(CORPUS_DIR, s.file)), `${s.file} is listed but missing`);
  });

  it('every source has a licence that allows redistribution, and third-party sources their licence text', () => {
    for (const dir of readdirSync(CORPUS_DIR).filter((d) => statSync(join(CORPUS_DIR, d)).isDirectory())) {
      const entries = sources.filter((s) => s.file.startsWith(`${dir}/`));
      assert.ok(entries.length > 0, `${dir} has no SOURCES.json entries`);
      for (const e of entries) assert.match(e.license, /^(GPL-2\.0|Apache-2\.0)/, `${e.file}: ${e.license}`);
      if (entries.every((e) => OURS.test(e.license))) continue;
      const texts = readdirSync(join(CORPUS_DIR, dir)).filter((f) => /^(COPYING|LICENSE)/.test(f));
      assert.ok(texts.length > 0, `${dir} has no licence text`);
      assert.match(readFileSync(join(CORPUS_DIR, dir, texts[0]!), 'utf8'), /GNU GENERAL PUBLIC LICENSE\s+Version 2/, `${dir}/${texts[0]}`);
    }
  });

  it('the schemas are the recorded vendored copies', () => {
    for (const dir of [MM7_SCHEMA_DIR, join(CONFORMANCE_DIR, 'specs', 'sti')]) {
      const entries = JSON.parse(readFileSync(join(dir, 'SOURCES.json'), 'utf8')) as Array<{ file: string; sha256?: string }>;
      const listed = new Set(entries.map((e) => e.file));
      for (const e of entries) if (e.sha256) assert.equal(sha256(join(dir, e.file)), e.sha256, e.file);
      // Ours: the envelope wrappers and the catalog.
      const vendored = readdirSync(dir).filter((f) => f.endsWith('.xsd') && !f.startsWith('envelope-'));
      for (const f of vendored) assert.ok(listed.has(f), `${f} has no SOURCES.json entry`);
    }
  });

  it('our own samples are exactly what generate.mjs writes', () => {
    const out = mkdtempSync(join(tmpdir(), 'openmmsc-generate-'));
    after(() => rmSync(out, { recursive: true, force: true }));
    const generator = join(CORPUS_DIR, 'openmmsc', 'generate.mjs');
    const r = spawnSync(process.execPath, [generator, out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const written = filesUnder(out).map((f) => relative(out, f)).sort();
    const committed = filesUnder(join(CORPUS_DIR, 'openmmsc')).map((f) => relative(join(CORPUS_DIR, 'openmmsc'), f)).filter((f) => f !== 'generate.mjs').sort();
    assert.deepEqual(written, committed);
    for (const f of written) assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(CORPUS_DIR, 'openmmsc', f))), f);
  });

  it('is a private package, and no published package ships it', () => {
    const root = join(CONFORMANCE_DIR, '..');
    assert.equal((JSON.parse(readFileSync(join(CONFORMANCE_DIR, 'package.json'), 'utf8')) as { private?: boolean }).private, true);
    for (const group of ['packages', 'plugins']) {
      for (const name of readdirSync(join(root, group))) {
        const file = join(root, group, name, 'package.json');
        if (!existsSync(file)) continue;
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { private?: boolean; files?: string[]; dependencies?: Record<string, string> };
        if (pkg.private) continue;
        assert.ok(!(pkg.files ?? []).some((f) => f.includes('conformance') || f.includes('corpus')), `${group}/${name} ships conformance material`);
        assert.equal(pkg.dependencies?.['@openmmsc/conformance'], undefined, `${group}/${name} depends on @openmmsc/conformance`);
      }
    }
  });
});
