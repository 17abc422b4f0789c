import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { definePlugin, type PluginInput } from '@openmmsc/core';
import { recordingPushBearer, startTestMmsc, type TestMmsc } from '@openmmsc/testkit';
import mm9 from '../src/index.js';

/** Routes +1555… to local handsets. */
export const localPhones = definePlugin({
  name: 'test-local-phones',
  version: '0.0.0',
  apiVersion: '^1.0.0',
  setup(ctx) {
    ctx.provide('RoutingResolver', {
      name: 'test-local-phones',
      resolve: async (a) => (a.type === 'plmn' && a.value.startsWith('+1555') ? { kind: 'route', route: { target: 'local' } } : undefined),
    });
  },
});

export async function startWithMm9(options: Record<string, unknown>, extra: PluginInput[] = []): Promise<TestMmsc> {
  const push = recordingPushBearer();
  return startTestMmsc({
    plugins: [localPhones, push.plugin, ...extra, { plugin: mm9, options: { originHost: 'mmsc.test', originRealm: 'test', destinationRealm: 'test.openmmsc.org', ...options } }],
  });
}

/** Starts tshark capturing loopback traffic on one TCP port; stop() ends it (SIGINT) and waits. */
export async function startCapture(port: number, file: string): Promise<{ stop(): Promise<void> }> {
  const probe = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new Error('tshark is not installed: the Diameter capture test needs it (apt-get install tshark, see .ci/apt-packages)');
  const child: ChildProcess = spawn('tshark', ['-i', 'lo', '-f', `tcp port ${port}`, '-w', file, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 15_000;
  while (!/Capturing on/.test(stderr)) {
    if (child.exitCode !== null) throw new Error(`tshark exited: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`tshark did not start capturing: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 300));
  return {
    async stop() {
      await new Promise((r) => setTimeout(r, 300));
      if (child.exitCode === null && child.pid !== undefined) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(child.pid, 'SIGINT');
        await exited;
      }
      if (!existsSync(file) || statSync(file).size === 0) throw new Error(`tshark wrote no capture: ${stderr}`);
    },
  };
}

/** Dissects a capture as Diameter on `port` and returns one object per Diameter message. */
export function dissect(file: string, port: number): Array<Record<string, string>> {
  const fields = ['diameter.cmd.code', 'diameter.flags.request', 'diameter.Service-Context-Id', 'diameter.Result-Code', 'diameter.CC-Request-Type', 'diameter.Requested-Action', 'diameter.Subscription-Id-Data', 'diameter.Message-ID', 'diameter.applicationId'];
  const r = spawnSync('tshark', ['-r', file, '-d', `tcp.port==${port},diameter`, '-Y', 'diameter', '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=f', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tshark -r failed: ${r.stderr}`);
  return r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => Object.fromEntries(line.split('|').map((v, i) => [fields[i]!.replace(/^diameter\./, ''), v])));
}
