import type { KernelConfigInput, PluginDefinition, PluginInput, PushRequest } from '@openmmsc/core';
import { recordingPushBearer } from './recording-plugins.js';
import { startTestMmsc, type TestMmsc } from './test-mmsc.js';

/** The far side of an account: a simulated VASP, an application's HTTP server. */
export interface AccountPeer {
  readonly url: string;
  stop(): Promise<void>;
}

type Account = Record<string, unknown>;

/** What a test of a content-provider interface (MM7, EAIF) changes in its harness. */
export interface AccountHarnessOptions {
  /** Overrides of the harness's own account. */
  account?: Account;
  /** Further accounts (or a function of the peer's base URL giving them). */
  accounts?: Account[] | ((peerUrl: string) => Account[]);
  /** Plugin options on top of the harness's. */
  plugin?: Account;
  /** Kernel config on top of the harness's fast job retries. */
  config?: KernelConfigInput;
  /** Further plugins, after the push bearer. */
  plugins?: PluginInput[];
}

/** How one interface's harness is built: which plugin, where its accounts live, which peer. */
export interface AccountHarnessSpec<P extends AccountPeer> {
  /** Starts the peer the harness's account points at. */
  peer: () => Promise<P>;
  /** The plugin routing recipients to this MMSC's own handsets. */
  subscribers: PluginInput;
  /** The interface under test; it listens on a free port. */
  plugin: PluginDefinition;
  /** The plugin option holding the accounts (`vasps`, `applications`). */
  accountsOption: string;
  /** The harness's own account, pointing at the peer. */
  account: (peer: P) => Account;
  /** Job settings, so tests do not wait on production back-off. */
  jobs: NonNullable<KernelConfigInput['jobs']>;
}

export interface AccountHarness<P extends AccountPeer> {
  t: TestMmsc;
  peer: P;
  /** What the recording push bearer was asked to push. */
  pushes: PushRequest[];
  stop(): Promise<void>;
}

/**
 * An MMSC with local handsets, a recording push bearer and one content-provider interface on a
 * free port, with one account whose peer runs in the test: the set-up the MM7 and EAIF tests
 * share (each names its plugin, its account and its peer).
 */
export async function startAccountHarness<P extends AccountPeer>(spec: AccountHarnessSpec<P>, opts: AccountHarnessOptions = {}): Promise<AccountHarness<P>> {
  const peer = await spec.peer();
  const push = recordingPushBearer();
  const extra = typeof opts.accounts === 'function' ? opts.accounts(peer.url) : (opts.accounts ?? []);
  let t: TestMmsc;
  try {
    t = await startTestMmsc({
      config: { jobs: spec.jobs, ...opts.config },
      plugins: [
        spec.subscribers,
        { plugin: spec.plugin, options: { port: 0, [spec.accountsOption]: [{ ...spec.account(peer), ...opts.account }, ...extra], ...opts.plugin } },
        push.plugin,
        ...(opts.plugins ?? []),
      ],
    });
  } catch (error) {
    await peer.stop();
    throw error;
  }
  return {
    t,
    peer,
    pushes: push.pushes,
    async stop() {
      await t.stop();
      await peer.stop();
    },
  };
}
