import type { AddressType } from '../model/address.js';
import type { ProvidableService } from '../services/tokens.js';

/** Every address type, for resolvers that answer (or catch) all of them. */
export const ADDRESS_TYPES = ['plmn', 'email', 'shortcode', 'ipv4', 'ipv6'] as const satisfies readonly AddressType[];

/** A path inside a plugin's options, e.g. `['limits', 'maxMessageSize']` or `['routes', 2]`. */
export type OptionPath = readonly (string | number)[];

/**
 * What a plugin says about itself for a given set of options, so that `openmmsc check` (which
 * does not start anything) and `start` can cross-check a whole configuration: routes to targets
 * nobody delivers, a catch-all resolver in front of others, size limits that shadow each other.
 * Declare what `setup` will do; everything is optional.
 */
export interface PluginFacts {
  /** Services `setup` provides besides a resolver and deliverers (e.g. `PushBearer`). */
  provides?: readonly ProvidableService[];
  /** Route targets its `Deliverer`s own (`mm3`, `mm7`, …). */
  delivers?: readonly string[];
  /** What its `RoutingResolver` answers. */
  resolver?: ResolverFacts;
  /** Message size limits it applies besides the kernel's `limits.maxMessageSize`. */
  sizeLimits?: readonly SizeLimitFact[];
}

export interface ResolverFacts {
  /** Route targets its answers may name (`local` needs a push bearer, others a deliverer). */
  targets: readonly string[];
  /** Address types it may answer for at all. */
  answers: readonly AddressType[];
  /** Address types it answers for every address (a route or a rejection): resolvers after it never see those. */
  catchAll?: readonly CatchAllFact[];
}

export interface CatchAllFact {
  types: readonly AddressType[];
  /** The option that makes it catch everything (`['unmatched']`, `['routes', 0]`). */
  option: OptionPath;
}

export interface SizeLimitFact {
  /** Where it is set in the options; whether the operator set it is read from there. */
  option: OptionPath;
  bytes: number;
  /** What it limits, for the warning: `MM1 submissions of subscribers without a size class`. */
  applies: string;
}
