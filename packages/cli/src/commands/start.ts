import { runNode, type Mmsc, type NodeHandle } from '@openmmsc/core';
import type { Output } from '../output.js';

export interface StartHandle {
  /** The MMSC of this process (undefined in the primary of a multi-worker node). */
  mmsc: Mmsc | undefined;
  node: NodeHandle;
  /** Resolves when a signal stopped the MMSC (in a worker: never; the worker exits once stopped). */
  stopped: Promise<void>;
}

/**
 * Starts an MMSC node from a config file and stops it gracefully on SIGTERM/SIGINT. With
 * `node.workers` (or `workers`) above 1 this process becomes the primary: node:cluster runs this
 * same command in each worker, where `runNode` starts the MMSC and handles the signals itself.
 */
export async function startCommand(configFile: string, out: Output, workers?: number | 'auto'): Promise<StartHandle> {
  const node = await runNode({ configFile, ...(workers !== undefined ? { workers } : {}), describe: (mmsc) => ({ admin: mmsc.adminUrl }) });
  if (node.role === 'worker') return { mmsc: node.mmsc, node, stopped: new Promise(() => {}) };
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        out.error(`${signal} again: exiting without draining`);
        process.exit(1);
      }
      stopping = true;
      out.info(`${signal}: draining and stopping`);
      node.stop().then(resolve, (error: unknown) => {
        out.error(`stop failed: ${(error as Error).message}`);
        resolve();
      });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  // Only now: whoever waits for this line may send SIGTERM at once.
  if (node.role === 'single') {
    const { mmsc } = node;
    out.info(`OpenMMSC started with ${mmsc.pluginNames.length} plugin(s): ${mmsc.pluginNames.join(', ') || '(none)'}`);
    if (mmsc.adminUrl) out.info(`admin: ${mmsc.adminUrl}/health  ${mmsc.adminUrl}/ready  ${mmsc.adminUrl}/metrics`);
    return { mmsc, node, stopped };
  }
  out.info(`OpenMMSC started with ${node.workers} workers (pids ${[...node.pids().values()].join(', ')})`);
  // The workers share the admin port: each request is answered by one of them.
  const admin = node.info.admin;
  if (typeof admin === 'string') out.info(`admin: ${admin}/health  ${admin}/ready  ${admin}/metrics (answered by any worker)`);
  return { mmsc: undefined, node, stopped };
}
