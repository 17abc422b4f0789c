import type { KernelConfigInput, PluginInput } from '@openmmsc/core';
import { localSubscribers, recordingPushBearer, SimulatedVasp, startTestMmsc, type TestMmsc } from '@openmmsc/testkit';
import mm7, { mm7BaseUrl } from '../src/index.js';
import type { ReleaseName } from '@openmmsc/mm7';

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

// Parts and XSD validation are the codec package's test helpers, shared here.
export { imagePart, textPart, validateEnvelopes } from '../../../packages/mm7/test/helpers.js';
