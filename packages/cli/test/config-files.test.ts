import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '@openmmsc/core';

// Config files live inside the repository so plugin packages resolve by name, as for a user.
const repo = fileURLToPath(new URL('../../../', import.meta.url));

async function problemsOf(file: string): Promise<string[]> {
  try {
    await loadConfig(file);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.map((p) => `${p.path}: ${p.message}`).sort();
  }
  assert.fail(`${file} was accepted`);
}

describe('config files with the real plugins', () => {
  let dir: string;
  before(async () => {
    await mkdir(join(repo, '.tmp'), { recursive: true });
    dir = await mkdtemp(join(repo, '.tmp', 'config-files-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('misspelt keys at several depths: kernel, router-prefix, mm7 vasps[], push-smpp links[]', async () => {
    const file = join(dir, 'misspelt.yaml');
    await writeFile(
      file,
      `
log: { levle: warn }
jobs: { deliver: { backofMax: 1h } }
plugins:
  - name: "@openmmsc/plugin-router-prefix"
    options:
      routes: [{ prefix: "+1555", target: local }]
      unmatchd: reject
  - name: "@openmmsc/plugin-mm7"
    options:
      port: 0
      vasps:
        - { id: news, password: s3cret, shortCodes: ["4444"] }
        - { id: games, pasword: s3cret, shortcodes: ["5555"], dialect: { release: REL-5-MM7-1-2, xmlDeclartion: false } }
  - name: "@openmmsc/plugin-push-smpp"
    options:
      links:
        - { host: 127.0.0.1, systemId: mmsc, reconnect: { baseMS: 500 } }
        - { host: 127.0.0.2, sytemId: mmsc }
`,
    );
    assert.deepEqual(await problemsOf(file), [
      'jobs.deliver.backofMax: unknown key; did you mean "backoffMax"?',
      'log.levle: unknown key; did you mean "level"?',
      'plugins[0] (@openmmsc/plugin-router-prefix).unmatchd: unknown key; did you mean "unmatched"?',
      'plugins[1] (@openmmsc/plugin-mm7).vasps[1].dialect.xmlDeclartion: unknown key; did you mean "xmlDeclaration"?',
      'plugins[1] (@openmmsc/plugin-mm7).vasps[1].password: required',
      'plugins[1] (@openmmsc/plugin-mm7).vasps[1].pasword: unknown key; did you mean "password"?',
      'plugins[1] (@openmmsc/plugin-mm7).vasps[1].shortcodes: unknown key; did you mean "shortCodes"?',
      'plugins[2] (@openmmsc/plugin-push-smpp).links[0].reconnect.baseMS: unknown key; did you mean "baseMs"?',
      'plugins[2] (@openmmsc/plugin-push-smpp).links[1].sytemId: unknown key; did you mean "systemId"?',
      'plugins[2] (@openmmsc/plugin-push-smpp).links[1].systemId: required',
    ].sort());
  });

  it('maps keyed by user data still pass: mm5 HTTP headers and answer fields, MM1 size classes', async () => {
    const file = join(dir, 'records.yaml');
    await writeFile(
      file,
      `
plugins:
  - name: "@openmmsc/plugin-mm5"
    options:
      resolvers:
        - type: http
          url: "https://hlr.example.net/v1/{digits}"
          headers: { X-Api-Key: k, authorization: "Bearer t" }
          response: { fields: { mcc: network.mcc, mnc: network.mnc }, domain: "mms.mnc{mnc:3}.mcc{mcc}.gprs" }
  - name: "@openmmsc/plugin-mm1"
    options:
      limits: { classes: { gold: { maxMessageSize: 2MB }, bronze-2: { maxMessageSize: 100KB } } }
`,
    );
    const { plugins } = await loadConfig(file);
    const mm5 = plugins[0]!.options as { resolvers: Array<{ headers: object; response: { fields: object } }> };
    assert.deepEqual(mm5.resolvers[0]!.headers, { 'X-Api-Key': 'k', authorization: 'Bearer t' });
    assert.deepEqual(mm5.resolvers[0]!.response.fields, { mcc: 'network.mcc', mnc: 'network.mnc' });
    const mm1 = plugins[1]!.options as { limits: { classes: Record<string, { maxMessageSize: number }> } };
    assert.deepEqual(mm1.limits.classes, { gold: { maxMessageSize: 2 * 1024 * 1024 }, 'bronze-2': { maxMessageSize: 100 * 1024 } });
  });

  it('${env:…} in push-smpp links[].port and a boolean, like admin.port and MM1\'s port', async () => {
    const file = join(dir, 'env.yaml');
    process.env.OPENMMSC_TEST_SMSC_PORT = '2776';
    process.env.OPENMMSC_TEST_SYSTEM_ID = '1234';
    await writeFile(
      file,
      `
admin: { port: "\${env:OPENMMSC_TEST_UNSET:-9191}" }
plugins:
  - name: "@openmmsc/plugin-mm1"
    options: { port: "\${env:OPENMMSC_TEST_UNSET:-8081}" }
  - name: "@openmmsc/plugin-push-smpp"
    options:
      links: [{ host: 127.0.0.1, port: "\${env:OPENMMSC_TEST_SMSC_PORT}", systemId: "\${env:OPENMMSC_TEST_SYSTEM_ID}", window: "\${env:OPENMMSC_TEST_UNSET:-4}" }]
      registeredDelivery: "\${env:OPENMMSC_TEST_UNSET:-false}"
`,
    );
    const { kernel, plugins } = await loadConfig(file);
    assert.equal(kernel.admin.port, 9191);
    assert.equal((plugins[0]!.options as { port: number }).port, 8081);
    const smpp = plugins[1]!.options as { links: Array<{ port: number; systemId: string; window: number }>; registeredDelivery: boolean };
    assert.equal(smpp.links[0]!.port, 2776);
    assert.equal(smpp.links[0]!.window, 4);
    assert.equal(smpp.links[0]!.systemId, '1234', 'a text field keeps digits as text');
    assert.equal(smpp.registeredDelivery, false);
  });
});
