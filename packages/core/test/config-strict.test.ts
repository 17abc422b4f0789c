import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { scratchDir } from '@openmmsc/testkit';
import { z } from 'zod';
import { ConfigError, definePlugin, loadConfig, parseConfig, resolveConfig, type ConfigProblem } from '@openmmsc/core';

/** The problems a rejected config names, as `path: message` lines. */
async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.map((p: ConfigProblem) => `${p.path}: ${p.message}`);
  }
  assert.fail('the configuration was accepted');
}

/** A third-party plugin with plain `z.object` schemas (no `.strict()` anywhere). */
const thirdParty = definePlugin({
  name: 'third-party',
  version: '1.0.0',
  apiVersion: '^1.0.0',
  configSchema: z.object({
    server: z.object({ port: z.number().int().default(25), tls: z.boolean().default(false) }).prefault({}),
    peers: z.array(z.object({ host: z.string(), weight: z.number().default(1) })).default([]),
    headers: z.record(z.string(), z.string()).default({}),
    classes: z.record(z.string(), z.object({ max: z.number() })).default({}),
    extra: z.object({ known: z.string().optional() }).loose().optional(),
    weights: z.object({}).catchall(z.number()).optional(),
    backend: z
      .discriminatedUnion('type', [z.object({ type: z.literal('file'), path: z.string() }), z.object({ type: z.literal('http'), url: z.string() })])
      .optional(),
    target: z.union([z.string(), z.object({ host: z.string(), port: z.number() })]).optional(),
    pair: z.tuple([z.object({ a: z.number() }), z.string()]).optional(),
    both: z.intersection(z.object({ a: z.number() }), z.object({ b: z.number() })).optional(),
    size: z.string().transform((s) => s.length).optional(),
    raw: z.preprocess((v) => v, z.object({ anything: z.string() }).loose()).optional(),
    mode: z.literal(3).optional(),
    tree: z.lazy(() => node).optional(),
  }),
  setup: () => undefined,
});
type TreeNode = { name: string; children?: TreeNode[] };
const node: z.ZodType<TreeNode> = z.lazy(() => z.object({ name: z.string(), children: z.array(node).optional() }));

const where = 'plugins[0] (third-party)';
const numericPlugin = fileURLToPath(new URL('./fixtures/numeric-plugin.ts', import.meta.url));
const withOptions = (options: unknown) => resolveConfig({}, { plugins: [{ plugin: thirdParty, options }] });

describe('config: unknown keys are refused everywhere, with the nearest valid key', () => {
  it('in the kernel schema, at every depth', async () => {
    const problems = await problemsOf(
      resolveConfig({
        log: { levle: 'warn' },
        jobs: { notify: { maxAtempts: 3 }, renotify: { aftr: '1m' } },
        store: { type: 'sqlite', path: 'x.sqlite', pth: 'y' },
        limtis: { maxRecipients: 3 },
        plugins: [{ name: 'x', option: {} }],
      }),
    );
    for (const line of [
      'log.levle: unknown key; did you mean "level"?',
      'jobs.notify.maxAtempts: unknown key; did you mean "maxAttempts"?',
      'jobs.renotify.aftr: unknown key; did you mean "after"?',
      'store.pth: unknown key; did you mean "path"?',
      'limtis: unknown key; did you mean "limits"?',
      'plugins[0].option: unknown key; did you mean "options"?',
    ]) {
      assert.ok(problems.includes(line), `${line}\nin:\n${problems.join('\n')}`);
    }
  });

  it('names the valid keys when nothing is close', async () => {
    assert.deepEqual(await problemsOf(resolveConfig({ log: { colour: true } })), ['log.colour: unknown key; expected one of: level']);
  });

  it('in a plain z.object plugin schema, at several depths, without the plugin asking for it', async () => {
    const problems = await problemsOf(
      withOptions({
        sever: {},
        server: { prot: 2525 },
        peers: [{ host: 'a' }, { host: 'b', wieght: 2 }],
        classes: { gold: { max: 1, mx: 2 } },
        backend: { type: 'http', url: 'http://x', urll: 'y' },
        target: { host: 'h', port: 1, hots: 'x' },
        pair: [{ a: 1, b: 2 }, 's'],
        both: { a: 1, b: 2, c: 3 },
        tree: { name: 'root', children: [{ name: 'leaf', chidlren: [] }] },
      }),
    );
    assert.deepEqual(problems.sort(), [
      `${where}.backend.urll: unknown key; did you mean "url"?`,
      `${where}.both.c: unknown key; expected one of: a, b`,
      `${where}.classes.gold.mx: unknown key; did you mean "max"?`,
      `${where}.pair[0].b: unknown key; expected one of: a`,
      `${where}.peers[1].wieght: unknown key; did you mean "weight"?`,
      `${where}.server.prot: unknown key; did you mean "port"?`,
      `${where}.sever: unknown key; did you mean "server"?`,
      `${where}.target.hots: unknown key; did you mean "host"?`,
      `${where}.tree.children[0].chidlren: unknown key; did you mean "children"?`,
    ]);
  });

  it('lets through what takes any key: records keyed by data, loose objects, catchalls, preprocessed input', async () => {
    const { plugins } = await withOptions({
      headers: { 'X-Api-Key': 'k', authorization: 'Bearer t' },
      classes: { gold: { max: 1 }, 'bronze-2': { max: 2 } },
      extra: { known: 'a', whatever: 1 },
      weights: { a: 1, b: '2' },
      raw: { anything: 'x', more: true },
      size: 'abc',
      mode: '3',
    });
    const options = plugins[0]!.options as Record<string, unknown>;
    assert.deepEqual(options.headers, { 'X-Api-Key': 'k', authorization: 'Bearer t' });
    assert.deepEqual(Object.keys(options.classes as object), ['gold', 'bronze-2']);
    assert.deepEqual(options.extra, { known: 'a', whatever: 1 });
    assert.deepEqual(options.weights, { a: 1, b: 2 });
    assert.deepEqual(options.raw, { anything: 'x', more: true });
    assert.equal(options.size, 3);
    assert.equal(options.mode, 3);
  });

  it('reports unknown keys together with zod errors, and kernel ones with plugin ones', async () => {
    const problems = await problemsOf(resolveConfig({ log: { levle: 'x' } }, { plugins: [{ plugin: thirdParty, options: { server: { port: 'many', tsl: true } } }] }));
    assert.deepEqual(problems.sort(), [
      'log.levle: unknown key; did you mean "level"?',
      `${where}.server.port: Invalid input: expected number, received string`,
      `${where}.server.tsl: unknown key; did you mean "tls"?`,
    ]);
  });

  it('a union names the field of the option the input was meant for, not "Invalid input"', async () => {
    assert.deepEqual(await problemsOf(resolveConfig({ plugins: [{ name: 'x', enabled: 'maybe' }] })), [
      'plugins[0].enabled: Invalid input: expected boolean, received string',
    ]);
  });

  it('parseConfig gives plugin authors the same check', () => {
    const schema = z.object({ a: z.object({ b: z.number() }) });
    assert.deepEqual(parseConfig(schema, { a: { b: 1, bb: 2 } }, 'x').problems, [{ path: 'x.a.bb', message: 'unknown key; did you mean "b"?' }]);
    assert.deepEqual(parseConfig(schema, { a: { b: '1' } }), { data: { a: { b: 1 } }, problems: [] });
  });
});

describe('config: ${env:…} text is typed by the schema, in every numeric and boolean field', () => {
  let dir: string;
  scratchDir('openmmsc-env-', (d) => (dir = d));

  it('numbers and booleans in a plugin named in the file; text fields keep digits as text', async () => {
    const file = join(dir, 'a.yaml');
    process.env.OPENMMSC_T_PORT = '2776';
    process.env.OPENMMSC_T_ON = 'false';
    process.env.OPENMMSC_T_ID = '00123';
    await writeFile(
      file,
      [
        'admin: { port: "${env:OPENMMSC_T_UNSET:-9191}", enabled: "${env:OPENMMSC_T_ON}" }',
        'limits: { maxRecipients: "${env:OPENMMSC_T_UNSET:-7}" }',
        'plugins:',
        `  - name: ${numericPlugin}`,
        '    options:',
        '      links: [{ port: "${env:OPENMMSC_T_PORT}", systemId: "${env:OPENMMSC_T_ID}", ratio: "${env:OPENMMSC_T_UNSET:-0.5}" }]',
        '      verbose: "${env:OPENMMSC_T_UNSET:-true}"',
        '      retries: "${env:OPENMMSC_T_UNSET:-0x10}"',
      ].join('\n'),
    );
    const { kernel, plugins } = await loadConfig(file);
    assert.equal(kernel.admin.port, 9191);
    assert.equal(kernel.admin.enabled, false);
    assert.equal(kernel.limits.maxRecipients, 7);
    assert.deepEqual(plugins[0]!.options, { links: [{ port: 2776, systemId: '00123', ratio: 0.5 }], verbose: true, retries: 16 });
  });

  it('a `${NAME}` without `env:` is refused where it is, not taken literally as a password', async () => {
    const file = join(dir, 'c.yaml');
    await writeFile(file, ['store: { type: redis, url: "redis://u:${REDIS_PASSWORD}@h:6379" }', 'admin: { host: "${env:OPENMMSC_T_NOT_SET_EITHER}" }'].join('\n'));
    assert.deepEqual(await problemsOf(loadConfig(file)), [
      'store.url: ${REDIS_PASSWORD} is not a reference this file understands; write ${env:NAME} or ${env:NAME:-default}',
      'admin.host: environment variable OPENMMSC_T_NOT_SET_EITHER is not set',
    ]);
  });

  it('text that is not a number is still refused in the field\'s terms', async () => {
    const file = join(dir, 'b.yaml');
    process.env.OPENMMSC_T_BAD = 'twenty';
    await writeFile(file, ['plugins:', `  - name: ${numericPlugin}`, '    options: { links: [{ port: "${env:OPENMMSC_T_BAD}", systemId: x }], verbose: "yes please" }'].join('\n'));
    const problems = await problemsOf(loadConfig(file));
    assert.deepEqual(problems.sort(), [
      'plugins[0] (numeric-plugin).links[0].port: Invalid input: expected number, received string',
      'plugins[0] (numeric-plugin).verbose: Invalid input: expected boolean, received string',
    ]);
  });
});
