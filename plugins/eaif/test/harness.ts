import type { KernelConfigInput, PluginInput } from '@openmmsc/core';
import routerPrefix from '@openmmsc/plugin-router-prefix';
import { recordingPushBearer, startTestMmsc, type TestMmsc } from '@openmmsc/testkit';
import eaif, { eaifUrl } from '../src/index.js';
import { AppServer, basic } from './wire.js';

export const PASSWORD = 'app-secret';
export const AUTH = basic('news', PASSWORD);

export interface Harness {
  t: TestMmsc;
  /** Where applications POST (`…/eaif`). */
  url: string;
  /** The application `news` as an HTTP server (MO messages and reports go there). */
  app: AppServer;
  pushes: ReturnType<typeof recordingPushBearer>['pushes'];
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** Overrides of the application `news`. */
  app?: Record<string, unknown>;
  /** Further applications (given the base URL of the test's application server). */
  apps?: Array<Record<string, unknown>> | ((appUrl: string) => Array<Record<string, unknown>>);
  plugin?: Record<string, unknown>;
  config?: KernelConfigInput;
  plugins?: PluginInput[];
}

/**
 * An MMSC with local handsets, a recording push bearer and the EAIF plugin on a free port, with
 * one application `news` (short code 12345) whose server runs in the test.
 */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const app = await AppServer.start();
  const push = recordingPushBearer();
  const t = await startTestMmsc({
    config: {
      jobs: {
        deliver: { backoffBase: 50, backoffMax: 200, jitter: 0 },
        report: { backoffBase: 50, backoffMax: 200, jitter: 0 },
        notify: { backoffBase: 50, backoffMax: 200, jitter: 0 },
      },
      ...opts.config,
    },
    plugins: [
      // Numbers +1555… are this MMSC's own handsets; anything else is left to EAIF's resolver.
      { plugin: routerPrefix, options: { routes: [{ prefix: '+1555', target: 'local' }] } },
      {
        plugin: eaif,
        options: {
          port: 0,
          applications: [
            {
              id: 'news',
              password: PASSWORD,
              shortCodes: ['12345'],
              senderAddresses: ['news@example.com'],
              url: `${app.url}/mo`,
              reportUrl: `${app.url}/reports`,
              outboundAuth: { username: 'mmsc', password: 'to-app' },
              ...opts.app,
            },
            ...(typeof opts.apps === 'function' ? opts.apps(app.url) : (opts.apps ?? [])),
          ],
          ...opts.plugin,
        },
      },
      push.plugin,
      ...(opts.plugins ?? []),
    ],
  });
  return {
    t,
    url: eaifUrl(t.mmsc)!,
    app,
    pushes: push.pushes,
    async stop() {
      await t.stop();
      await app.stop();
    },
  };
}

/** The headers of an EAIF submission by `news`. */
export function eaifHeaders(extra: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return { 'content-type': 'application/vnd.wap.mms-message', authorization: AUTH, ...extra };
}
