import type { PluginInput } from '@openmmsc/core';
import { recordingPushBearer, recordingReportSender, startTestMmsc, type TestMmsc, freePort } from '@openmmsc/testkit';
import mm5 from '@openmmsc/plugin-mm5';
import mm4, { type Mm4OptionsInput } from '../src/index.js';

export { freePort };

export const DOMAIN_A = 'mms.mnc001.mcc001.gprs';
export const DOMAIN_B = 'mms.mnc002.mcc001.gprs';

export interface Side {
  t: TestMmsc;
  push: ReturnType<typeof recordingPushBearer>;
  api: ReturnType<typeof recordingReportSender>;
}

export interface PairOptions {
  /** Extra plugins before mm4 (e.g. MM1) for each side. */
  extraA?: PluginInput[];
  extraB?: PluginInput[];
  mm4A?: Partial<Mm4OptionsInput>;
  mm4B?: Partial<Mm4OptionsInput>;
  /** Replace the recording push bearer. */
  pushA?: PluginInput;
  pushB?: PluginInput;
}

/**
 * Two MMSCs on loopback: A (+1555…, mms.mnc001.mcc001.gprs, sends from 127.0.0.2) and B (+1666…,
 * mms.mnc002.mcc001.gprs, sends from 127.0.0.3). Each allows only the other's source address.
 */
export async function startPair(opts: PairOptions = {}): Promise<{ a: Side; b: Side; portA: number; portB: number; stop(): Promise<void> }> {
  const [portA, portB] = [await freePort(), await freePort()];
  const a = await startSide('A', portA, portB, opts);
  const b = await startSide('B', portA, portB, opts);
  return {
    a,
    b,
    portA,
    portB,
    async stop() {
      await Promise.allSettled([a.t.stop(), b.t.stop()]);
    },
  };
}

/** One side of the pair. */
export async function startSide(me: 'A' | 'B', portA: number, portB: number, opts: PairOptions = {}): Promise<Side> {
  const push = recordingPushBearer();
  const api = recordingReportSender('api');
  const mine = me === 'A' ? { domain: DOMAIN_A, port: portA, src: '127.0.0.2', prefix: '+1555' } : { domain: DOMAIN_B, port: portB, src: '127.0.0.3', prefix: '+1666' };
  const other = me === 'A' ? { domain: DOMAIN_B, port: portB, src: '127.0.0.3', prefix: '+1666' } : { domain: DOMAIN_A, port: portA, src: '127.0.0.2', prefix: '+1555' };
  const mm4Options: Mm4OptionsInput = {
    domain: mine.domain,
    peers: [{ domain: other.domain, host: '127.0.0.1', port: other.port, localAddress: mine.src, addresses: [other.src] }],
    responseRetries: 3,
    ...(me === 'A' ? opts.mm4A : opts.mm4B),
    server: { host: '127.0.0.1', port: mine.port, ...(me === 'A' ? opts.mm4A : opts.mm4B)?.server },
  };
  const t = await startTestMmsc({
    config: { jobs: { deliver: { backoffBase: '200ms', backoffMax: '1s' }, report: { backoffBase: '200ms', backoffMax: '1s' } } },
    plugins: [
      ...((me === 'A' ? opts.extraA : opts.extraB) ?? []),
      {
        plugin: mm5,
        options: {
          localDomains: [mine.domain],
          resolvers: [{ type: 'prefix', routes: [{ prefix: mine.prefix, target: 'local' }, { prefix: other.prefix, target: 'mm4', destination: other.domain }] }],
        },
      },
      { plugin: mm4, options: mm4Options },
      (me === 'A' ? opts.pushA : opts.pushB) ?? push.plugin,
      api.plugin,
    ],
  });
  return { t, push, api };
}
