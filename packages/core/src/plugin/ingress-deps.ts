import type { Logger } from 'pino';
import type { MmscRuntime } from '../runtime.js';
import type { PluginContext } from './define-plugin.js';

/**
 * What an ingress plugin's request handler (MM7's SOAP service, EAIF's inbound side, …) takes from
 * the plugin's context: kept apart from the context so that the handler is plain, framework-free
 * code a test can build with its own clock and runtime.
 */
export interface IngressDeps<Options, Metrics> {
  /** The plugin's name, for recipients' history. */
  name: string;
  mmsc: MmscRuntime;
  log: Logger;
  now: () => number;
  options: Options;
  metrics: Metrics;
  /** Kernel limits, the defaults of per-client ones. */
  kernelLimits: { maxMessageSize: number; maxRecipients: number };
}

/** The `IngressDeps` of a plugin's context. */
export function ingressDeps<Options, Metrics>(ctx: PluginContext<Options>, metrics: Metrics): IngressDeps<Options, Metrics> {
  const { maxMessageSize, maxRecipients } = ctx.config.limits;
  return { name: ctx.name, mmsc: ctx.mmsc, log: ctx.log, now: () => ctx.clock.now(), options: ctx.options, metrics, kernelLimits: { maxMessageSize, maxRecipients } };
}
