import routerPrefix from '@openmmsc/plugin-router-prefix';
import { startAccountHarness, type AccountHarness, type AccountHarnessOptions } from '@openmmsc/testkit';
import eaif, { eaifUrl } from '../src/index.js';
import { AppServer, basic } from './wire.js';

export const PASSWORD = 'app-secret';
export const AUTH = basic('news', PASSWORD);

export interface Harness extends AccountHarness<AppServer> {
  /** Where applications POST (`…/eaif`). */
  url: string;
  /** The application `news` as an HTTP server (MO messages and reports go there): the peer. */
  app: AppServer;
}

/**
 * An MMSC with local handsets, a recording push bearer and the EAIF plugin on a free port, with
 * one application `news` (short code 12345) whose server runs in the test; `opts.account`
 * overrides `news`, `opts.accounts` adds applications.
 */
export async function startHarness(opts: AccountHarnessOptions = {}): Promise<Harness> {
  const h = await startAccountHarness(
    {
      peer: () => AppServer.start(),
      // Numbers +1555… are this MMSC's own handsets; anything else is left to EAIF's resolver.
      subscribers: { plugin: routerPrefix, options: { routes: [{ prefix: '+1555', target: 'local' }] } },
      plugin: eaif,
      accountsOption: 'applications',
      account: (app) => ({
        id: 'news',
        password: PASSWORD,
        shortCodes: ['12345'],
        senderAddresses: ['news@example.com'],
        url: `${app.url}/mo`,
        reportUrl: `${app.url}/reports`,
        outboundAuth: { username: 'mmsc', password: 'to-app' },
      }),
      jobs: {
        deliver: { backoffBase: 50, backoffMax: 200, jitter: 0 },
        report: { backoffBase: 50, backoffMax: 200, jitter: 0 },
        notify: { backoffBase: 50, backoffMax: 200, jitter: 0 },
      },
    },
    opts,
  );
  return { ...h, url: eaifUrl(h.t.mmsc)!, app: h.peer };
}

/** The headers of an EAIF submission by `news`. */
export function eaifHeaders(extra: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return { 'content-type': 'application/vnd.wap.mms-message', authorization: AUTH, ...extra };
}
