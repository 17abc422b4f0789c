import { execFile } from 'node:child_process';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KernelConfigInput, MmsPart, PluginInput } from '@openmmsc/core';
import { mm7EnvelopeSchema, XML_CATALOG } from '@openmmsc/conformance';
import { localSubscribers, recordingPushBearer, SimulatedVasp, startTestMmsc, systemCommand, type TestMmsc } from '@openmmsc/testkit';
import mm7, { mm7BaseUrl, type ReleaseName } from '../src/index.js';

/** Handsets `+1555…` are this MMSC's own subscribers. */
export const localPhones = localSubscribers();

export const PASSWORD = 'secret-1';

export interface Mm7Harness {
  t: TestMmsc;
  url: string;
  base: string;
  vasp: SimulatedVasp;
  pushes: ReturnType<typeof recordingPushBearer>['pushes'];
  stop(): Promise<void>;
}

export interface HarnessOptions {
  vasp?: Record<string, unknown>;
  extraVasps?: Array<Record<string, unknown>> | ((vaspUrl: string) => Array<Record<string, unknown>>);
  plugin?: Record<string, unknown>;
  config?: KernelConfigInput;
  plugins?: PluginInput[];
}

/** An MMSC with the MM7 plugin on a free port, local handsets, and a simulated VASP `acme`. */
export async function startHarness(opts: HarnessOptions = {}): Promise<Mm7Harness> {
  const vasp = await SimulatedVasp.start({ username: 'mmsc', password: 'to-vasp' });
  const push = recordingPushBearer();
  const t = await startTestMmsc({
    config: {
      jobs: { deliver: { backoffBase: 50, backoffMax: 200, jitter: 0 }, report: { backoffBase: 50, backoffMax: 200, jitter: 0 } },
      ...opts.config,
    },
    plugins: [
      localPhones,
      {
        plugin: mm7,
        options: {
          port: 0,
          vasps: [
            {
              id: 'acme',
              password: PASSWORD,
              shortCodes: ['12345'],
              url: vasp.url,
              outboundAuth: { username: 'mmsc', password: 'to-vasp' },
              ...opts.vasp,
            },
            ...(typeof opts.extraVasps === 'function' ? opts.extraVasps(vasp.url) : (opts.extraVasps ?? [])),
          ],
          ...opts.plugin,
        },
      },
      push.plugin,
      ...(opts.plugins ?? []),
    ],
  });
  const base = mm7BaseUrl(t.mmsc)!;
  return {
    t,
    base,
    url: `${base}/mm7`,
    vasp,
    pushes: push.pushes,
    async stop() {
      await t.stop();
      await vasp.stop();
    },
  };
}

/** Sum of a counter's values whose labels match (0 when the metric does not exist). */
export async function counter(h: Mm7Harness, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = h.t.mmsc.registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((n, v) => n + v.value, 0);
}

export function clientOptions(h: Mm7Harness, release: ReleaseName = 'REL-6-MM7-1-4') {
  return { url: h.url, vaspId: 'acme', password: PASSWORD, release };
}

export const textPart = (text: string, id = 'text1'): MmsPart => ({
  contentType: { type: 'text/plain', params: { charset: 'utf-8' } },
  contentId: id,
  contentLocation: `${id}.txt`,
  data: Buffer.from(text, 'utf8'),
});

export const imagePart = (bytes: number, id = 'image1'): MmsPart => {
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
