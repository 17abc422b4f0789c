import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { createMmsc } from '@openmmsc/core';
import { buildMessage, recordingPushBearer, startSimulatedOcs } from '@openmmsc/testkit';
import { localPhones } from './helpers.js';

const plugins = fileURLToPath(new URL('../../', import.meta.url));

/** A deployment directory: a config file and the plugin packages it names, as an operator has them. */
async function deployment(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mm8-mm9-swap-'));
  await mkdir(join(dir, 'node_modules', '@openmmsc'), { recursive: true });
  await symlink(join(plugins, 'mm8'), join(dir, 'node_modules', '@openmmsc', 'plugin-mm8'));
  await symlink(join(plugins, 'mm9'), join(dir, 'node_modules', '@openmmsc', 'plugin-mm9'));
  return dir;
}

async function run(dir: string, charging: unknown): Promise<string> {
  const file = join(dir, 'openmmsc.json');
  await writeFile(
    file,
    JSON.stringify({
      store: { type: 'sqlite', path: `data-${Date.now()}/store.sqlite` },
      admin: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
      plugins: [charging],
    }),
  );
  const mmsc = await createMmsc({ configFile: file, plugins: [localPhones, recordingPushBearer().plugin] });
  try {
    const r = await mmsc.submit({ message: buildMessage({ from: '+15550000001', to: '+15550000002' }), origin: { interface: 'mm1' } });
    return r.status === 'rejected' ? r.reason.code : r.status;
  } finally {
    await mmsc.stop();
  }
}

describe('swapping the charging backend is a config change', () => {
  it('the same MMSC bills offline with MM8, then online with MM9, by changing one plugin entry', async () => {
    const dir = await deployment();
    const ocs = await startSimulatedOcs({ balances: { '15550000001': 1 } });
    try {
      // Offline: CDRs, no OCS traffic.
      assert.equal(await run(dir, { name: '@openmmsc/plugin-mm8', options: { writers: [{ type: 'file', format: 'csv', directory: 'cdr' }] } }), 'accepted');
      const cdrs = await readdir(join(dir, 'cdr'));
      assert.equal(cdrs.length, 1);
      assert.match(await readFile(join(dir, 'cdr', cdrs[0]!), 'utf8'), /^cdrId,recordType,.*\n[0-9a-f-]{36},MMO1S,submission,/s);
      assert.equal(ocs.ccrs().length, 0);

      // Online: the same config with MM9 in MM8's place; prepaid rules now apply.
      const mm9 = { name: '@openmmsc/plugin-mm9', options: { peers: [{ port: ocs.port }], originHost: 'mmsc.swap' } };
      assert.equal(await run(dir, mm9), 'accepted');
      assert.equal(ocs.ccrs().length, 1);
      assert.equal(ocs.balance('15550000001'), 0);
      assert.equal(await run(dir, mm9), 'insufficient-credit');
      assert.equal((await readdir(join(dir, 'cdr'))).length, 1, 'MM8 no longer writes');
    } finally {
      await ocs.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
