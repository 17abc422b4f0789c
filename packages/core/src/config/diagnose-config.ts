import type { AddressType } from '../model/address.js';
import { ADDRESS_TYPES, type OptionPath, type PluginFacts, type ResolverFacts } from '../plugin/plugin-facts.js';
import { formatPath, type ConfigProblem } from './config-error.js';
import type { ResolvedConfig, ResolvedPlugin } from './resolve-config.js';

/** What `setup` really provided, once the MMSC started (check has only the plugins' declarations). */
export interface ProvidedServices {
  /** Plugins that provided a push bearer. */
  pushBearers: readonly string[];
  /** Route targets some plugin provided a deliverer for. */
  deliveryTargets: readonly string[];
}

interface Declared {
  plugin: ResolvedPlugin;
  where: string;
  facts: PluginFacts;
}

/**
 * Warnings about a valid configuration that cannot work as written, from the facts each plugin
 * declares (see `PluginFacts`): routes to targets nothing serves, resolvers shadowed by a
 * catch-all in front of them, size limits that silently override one the operator set.
 * `check` prints them; `start` logs them.
 */
export function diagnoseConfig(resolved: ResolvedConfig, provided?: ProvidedServices): ConfigProblem[] {
  const warnings: ConfigProblem[] = [];
  const declared: Declared[] = [];
  for (const plugin of resolved.plugins) {
    const where = pluginWhere(plugin);
    try {
      const facts = plugin.definition.facts?.(plugin.options, resolved.kernel);
      if (facts) declared.push({ plugin, where, facts });
    } catch (error) {
      warnings.push({ path: where, message: `could not describe its configuration for checks: ${(error as Error).message}` });
    }
  }
  warnings.push(...unservedTargets(declared, provided), ...shadowedResolvers(declared), ...shadowedSizeLimits(declared, resolved));
  return warnings;
}

function pluginWhere(plugin: ResolvedPlugin): string {
  return `plugins[${plugin.index}] (${plugin.definition.name})`;
}

function optionWhere(where: string, option: OptionPath): string {
  return formatPath(option, where);
}

function unservedTargets(declared: readonly Declared[], provided: ProvidedServices | undefined): ConfigProblem[] {
  const bearers = new Set(provided?.pushBearers ?? []);
  const delivered = new Set(provided?.deliveryTargets ?? []);
  for (const d of declared) {
    if (d.facts.provides?.includes('PushBearer')) bearers.add(d.plugin.definition.name);
    for (const target of d.facts.delivers ?? []) delivered.add(target);
  }
  const warnings: ConfigProblem[] = [];
  for (const d of declared) {
    for (const target of new Set(d.facts.resolver?.targets ?? [])) {
      if (target === 'local') {
        if (bearers.size === 0) {
          warnings.push({
            path: d.where,
            message:
              'routes recipients to local subscribers, but no plugin provides a push bearer: their messages are accepted and stored, ' +
              'and no handset is ever notified; add one (@openmmsc/plugin-push-smpp, @openmmsc/plugin-push-pap, or @openmmsc/plugin-push-log for a lab)',
          });
        }
      } else if (!delivered.has(target)) {
        warnings.push({
          path: d.where,
          message: `routes recipients to "${target}", but no plugin delivers to "${target}": their messages are accepted, then rejected when delivery is tried`,
        });
      }
    }
  }
  return warnings;
}

const TYPE_NAMES: Record<AddressType, string> = { plmn: 'phone number', email: 'e-mail address', shortcode: 'short code', ipv4: 'IPv4 address', ipv6: 'IPv6 address' };

function describeTypes(types: readonly AddressType[]): string {
  if (ADDRESS_TYPES.every((t) => types.includes(t))) return 'every address';
  return `every ${types.map((t) => TYPE_NAMES[t]).join(', ')}`;
}

/** Resolvers are asked in config order and the first answer wins: a catch-all hides every later one. */
function shadowedResolvers(declared: readonly Declared[]): ConfigProblem[] {
  const resolvers = declared.filter((d): d is Declared & { facts: { resolver: ResolverFacts } } => d.facts.resolver !== undefined);
  const warnings: ConfigProblem[] = [];
  for (const [j, later] of resolvers.entries()) {
    for (const earlier of resolvers.slice(0, j)) {
      for (const catchAll of earlier.facts.resolver.catchAll ?? []) {
        const hidden = catchAll.types.filter((t) => later.facts.resolver.answers.includes(t));
        if (hidden.length === 0) continue;
        warnings.push({
          path: optionWhere(earlier.where, catchAll.option),
          message:
            `answers ${describeTypes(catchAll.types)} itself, so ${later.where}, listed after it, is never asked for ` +
            `${hidden.map((t) => `${TYPE_NAMES[t]}s`).join(', ')} it would route; list ${later.plugin.definition.name} first, or let this one pass them on`,
        });
        break;
      }
    }
  }
  return warnings;
}

function isSet(input: unknown, path: OptionPath): boolean {
  let node = input;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, segment)) return false;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node !== undefined;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)}MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024}KB`;
  return `${bytes} bytes`;
}

/**
 * Two limits on one message: the smaller wins. Warn when that overrides a limit the operator set:
 * a plugin limit above the kernel's (it can never apply), or a plugin's default below a kernel
 * limit set in the file (the operator raised it for nothing on that interface).
 */
function shadowedSizeLimits(declared: readonly Declared[], resolved: ResolvedConfig): ConfigProblem[] {
  const kernelLimit = resolved.kernel.limits.maxMessageSize;
  const kernelSet = isSet(resolved.kernelInput, ['limits', 'maxMessageSize']);
  const warnings: ConfigProblem[] = [];
  for (const d of declared) {
    for (const limit of d.facts.sizeLimits ?? []) {
      const path = optionWhere(d.where, limit.option);
      const set = isSet(d.plugin.input, limit.option);
      if (limit.bytes > kernelLimit && set) {
        warnings.push({
          path,
          message: `${formatBytes(limit.bytes)} never applies to ${limit.applies}: the kernel's limits.maxMessageSize (${formatBytes(kernelLimit)}) refuses larger messages first`,
        });
      } else if (limit.bytes < kernelLimit && !set && kernelSet) {
        warnings.push({
          path,
          message:
            `${limit.applies} are limited to ${formatBytes(limit.bytes)} by this option's default, below the limits.maxMessageSize ` +
            `(${formatBytes(kernelLimit)}) set in this file; set this option to say which is meant`,
        });
      }
    }
  }
  return warnings;
}
