import { createMmsc, type Mmsc } from '@openmmsc/core';
import type { Output } from '../output.js';

export interface StartHandle {
  mmsc: Mmsc;
  /** Resolves when a signal stopped the MMSC. */
  stopped: Promise<void>;
}

/** Starts an MMSC from a config file and stops it gracefully on SIGTERM/SIGINT. */
export async function startCommand(configFile: string, out: Output): Promise<StartHandle> {
  const mmsc = await createMmsc({ configFile });
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        out.error(`${signal} again: exiting without draining`);
        process.exit(1);
      }
      stopping = true;
      out.info(`${signal}: draining and stopping`);
      mmsc.stop().then(resolve, (error: unknown) => {
        out.error(`stop failed: ${(error as Error).message}`);
        resolve();
      });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  // Only now: whoever waits for this line may send SIGTERM at once.
  out.info(`OpenMMSC started with ${mmsc.pluginNames.length} plugin(s): ${mmsc.pluginNames.join(', ') || '(none)'}`);
  if (mmsc.adminUrl) out.info(`admin: ${mmsc.adminUrl}/health  ${mmsc.adminUrl}/ready  ${mmsc.adminUrl}/metrics`);
  return { mmsc, stopped };
}
