import { localSubscribers, SimulatedVasp, startAccountHarness, type AccountHarness, type AccountHarnessOptions } from '@openmmsc/testkit';
import mm7, { mm7BaseUrl } from '../src/index.js';
import type { ReleaseName } from '@openmmsc/mm7';

/** Handsets `+1555…` are this MMSC's own subscribers. */
export const localPhones = localSubscribers();

export const PASSWORD = 'secret-1';

export interface Mm7Harness extends AccountHarness<SimulatedVasp> {
  /** The MM7 SOAP endpoint (`…/mm7`). */
  url: string;
  /** The plugin's base URL (the JSON API is below it). */
  base: string;
  /** The simulated VASP `acme`: the peer. */
  vasp: SimulatedVasp;
}

/**
 * An MMSC with the MM7 plugin on a free port, local handsets, and a simulated VASP `acme`;
 * `opts.account` overrides `acme`, `opts.accounts` adds VASPs.
 */
export async function startHarness(opts: AccountHarnessOptions = {}): Promise<Mm7Harness> {
  const h = await startAccountHarness(
    {
      peer: () => SimulatedVasp.start({ username: 'mmsc', password: 'to-vasp' }),
      subscribers: localPhones,
      plugin: mm7,
      accountsOption: 'vasps',
      account: (vasp) => ({ id: 'acme', password: PASSWORD, shortCodes: ['12345'], url: vasp.url, outboundAuth: { username: 'mmsc', password: 'to-vasp' } }),
      jobs: { deliver: { backoffBase: 50, backoffMax: 200, jitter: 0 }, report: { backoffBase: 50, backoffMax: 200, jitter: 0 } },
    },
    opts,
  );
  const base = mm7BaseUrl(h.t.mmsc)!;
  return { ...h, base, url: `${base}/mm7`, vasp: h.peer };
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
