import { definePlugin, type KernelConfigInput, type PluginInput, type PushRequest } from '@openmmsc/core';
import pushSmpp from '@openmmsc/plugin-push-smpp';
import routerPrefix from '@openmmsc/plugin-router-prefix';
import { SimulatedHandset, SimulatedSmsc, handsetPushBearer, startTestMmsc, type HandsetMode, type TestMmsc } from '@openmmsc/testkit';
import mm1, { mm1Url, type Mm1OptionsInput } from '../src/index.js';

export interface Phone {
  msisdn: string;
  mode?: HandsetMode;
  msisdnHeader?: string | null;
  mmsVersion?: string;
}

export interface Rig {
  t: TestMmsc;
  /** MM1 base URL (`http://127.0.0.1:<port>`). */
  url: string;
  smsc: SimulatedSmsc | undefined;
  /** What the direct bearer was asked to push (`bearer: 'direct'` only). */
  pushes: PushRequest[];
  phones: SimulatedHandset[];
  phone(msisdn: string): SimulatedHandset;
  addPhone(p: Phone): SimulatedHandset;
  stop(): Promise<void>;
}

/** Fast job retries, so tests do not wait on production back-off. */
export const fastJobs = {
  notify: { backoffBase: 50, backoffMax: 500, maxAttempts: 20, jitter: 0 },
  report: { backoffBase: 50, backoffMax: 500, maxAttempts: 20, jitter: 0 },
  expire: { backoffBase: 50, backoffMax: 500, maxAttempts: 5, jitter: 0 },
} as const;

/**
 * An MMSC with MM1 on a free port, routing +1555… to local handsets, pushes over SMPP to a
 * simulated SMSC (`bearer: 'smpp'`, the real path) or straight to the handsets (`'direct'`).
 */
export async function startRig(opts: { phones?: Phone[]; mm1?: Mm1OptionsInput; config?: KernelConfigInput; bearer?: 'smpp' | 'direct'; extraPlugins?: PluginInput[] } = {}): Promise<Rig> {
  const bearerKind = opts.bearer ?? 'smpp';
  let smsc: SimulatedSmsc | undefined;
  const direct = bearerKind === 'direct' ? handsetPushBearer() : undefined;
  const plugins: PluginInput[] = [
    { plugin: routerPrefix, options: { routes: [{ prefix: '+1555', target: 'local' }], unmatched: 'reject' } },
    ...(opts.extraPlugins ?? []),
    { plugin: mm1, options: { port: 0, ...opts.mm1 } },
  ];
  if (bearerKind === 'smpp') {
    smsc = new SimulatedSmsc();
    await smsc.start();
    plugins.push({
      plugin: pushSmpp,
      options: {
        links: [{ host: '127.0.0.1', port: smsc.port, systemId: 'mmsc', password: 'pw', sourceAddr: '1234', enquireLinkMs: 5000, responseTimeoutMs: 3000, reconnect: { baseMs: 50, maxMs: 500 } }],
        registeredDelivery: false,
      },
    });
  } else plugins.push(direct!.plugin);
  const config: KernelConfigInput = { ...opts.config, jobs: { ...fastJobs, ...opts.config?.jobs } };
  let t: TestMmsc;
  try {
    t = await startTestMmsc({ plugins, config });
  } catch (error) {
    await smsc?.stop();
    throw error;
  }
  const url = mm1Url(t.mmsc);
  if (!url) throw new Error('MM1 did not start');
  const phones: SimulatedHandset[] = [];
  const addPhone = (p: Phone) => {
    const h = new SimulatedHandset({
      msisdn: p.msisdn,
      mmscUrl: `${url}/mms`,
      ...(smsc ? { smsc } : {}),
      ...(p.mode ? { mode: p.mode } : {}),
      ...(p.msisdnHeader !== undefined ? { msisdnHeader: p.msisdnHeader } : {}),
      ...(p.mmsVersion ? { mmsVersion: p.mmsVersion } : {}),
    });
    direct?.attach(h);
    phones.push(h);
    return h;
  };
  for (const p of opts.phones ?? []) addPhone(p);
  return {
    t,
    url,
    smsc,
    pushes: direct?.pushes ?? [],
    phones,
    addPhone,
    phone(msisdn) {
      const h = phones.find((x) => x.msisdn === msisdn);
      if (!h) throw new Error(`no phone ${msisdn}`);
      return h;
    },
    async stop() {
      for (const h of phones) await h.close();
      await t.stop();
      await smsc?.stop();
    },
  };
}

/** A recipient's state history as `state (by)` steps. */
export async function historyOf(rig: Rig, messageId: string, index = 0): Promise<string[]> {
  const r = (await rig.t.mmsc.getRecipients(messageId)).find((x) => x.index === index);
  return r ? r.history.map((h) => h.state) : [];
}

export async function stateOf(rig: Rig, messageId: string, index = 0): Promise<string | undefined> {
  return (await rig.t.mmsc.getRecipients(messageId)).find((x) => x.index === index)?.state;
}

/** Records the id of every message that reaches the kernel's pipeline at all. */
export function pipelineCounter() {
  const received: string[] = [];
  const plugin = definePlugin({ name: 'pipeline-counter', version: '0.0.0', apiVersion: '^1.0.0', setup: () => ({ receive: (m) => void received.push(m.id) }) });
  return { plugin, received };
}

/** POSTs PDU bytes to MM1 as a handset behind a trusted WAP gateway. */
export async function postPdu(url: string, body: Uint8Array, msisdn = '+15550000001'): Promise<{ status: number; type: string | null; body: Buffer }> {
  const res = await fetch(`${url}/mms`, { method: 'POST', headers: { 'content-type': 'application/vnd.wap.mms-message', 'x-wap-network-client-msisdn': msisdn }, body });
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
}
