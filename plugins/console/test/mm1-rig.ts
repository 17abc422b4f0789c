import type { PluginInput } from '@openmmsc/core';
import mm1, { mm1Url } from '@openmmsc/plugin-mm1';
import pushSmpp from '@openmmsc/plugin-push-smpp';
import routerPrefix from '@openmmsc/plugin-router-prefix';
import { SimulatedHandset, SimulatedSmsc, startTestMmsc, type TestMmsc } from '@openmmsc/testkit';
import consolePlugin, { type ConsoleOptionsInput } from '../src/index.js';
import { testAccounts } from './rig.js';

export interface ConsoleRig {
  t: TestMmsc;
  smsc: SimulatedSmsc;
  /** `<admin url>/console` */
  base: string;
  phone(msisdn: string): SimulatedHandset;
  stop(): Promise<void>;
}

/**
 * An MMSC as an operator runs it: MM1 for handsets, notifications over SMPP to a simulated SMSC,
 * +1555… routed to local handsets, and the console on the admin server.
 */
export async function startConsoleRig(opts: { phones: string[]; console?: Partial<ConsoleOptionsInput>; extraPlugins?: PluginInput[] }): Promise<ConsoleRig> {
  const smsc = new SimulatedSmsc();
  await smsc.start();
  const plugins: PluginInput[] = [
    { plugin: routerPrefix, options: { routes: [{ prefix: '+1555', target: 'local' }], unmatched: 'reject' } },
    ...(opts.extraPlugins ?? []),
    { plugin: mm1, options: { port: 0 } },
    {
      plugin: pushSmpp,
      options: {
        links: [{ name: 'smsc-a', host: '127.0.0.1', port: smsc.port, systemId: 'mmsc', password: 'pw', sourceAddr: '1234', enquireLinkMs: 500, responseTimeoutMs: 1000, reconnect: { baseMs: 100, maxMs: 300 } }],
        registeredDelivery: false,
      },
    },
    { plugin: consolePlugin, options: { accounts: await testAccounts(), traffic: { sampleMs: 500 }, trace: { flushMs: 50 }, ...opts.console } },
  ];
  const fast = { backoffBase: 50, backoffMax: 500, maxAttempts: 20, jitter: 0 };
  let t: TestMmsc;
  try {
    t = await startTestMmsc({ plugins, config: { jobs: { notify: fast, report: fast, expire: { ...fast, maxAttempts: 5 } } } });
  } catch (error) {
    await smsc.stop();
    throw error;
  }
  const url = mm1Url(t.mmsc)!;
  const phones = new Map(opts.phones.map((msisdn) => [msisdn, new SimulatedHandset({ msisdn, mmscUrl: `${url}/mms`, smsc })]));
  return {
    t,
    smsc,
    base: `${t.mmsc.adminUrl}/console`,
    phone(msisdn) {
      const h = phones.get(msisdn);
      if (!h) throw new Error(`no phone ${msisdn}`);
      return h;
    },
    async stop() {
      for (const h of phones.values()) await h.close();
      await t.stop();
      await smsc.stop();
    },
  };
}
