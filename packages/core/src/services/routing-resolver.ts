import type { Address } from '../model/address.js';
import type { Route } from '../model/recipient-state.js';
import type { Reason } from '../pipeline/verdict.js';

export type Resolution =
  | { kind: 'route'; route: Omit<Route, 'by'> }
  /** A known failure: reject (permanent) or defer (temporary) the recipient. */
  | { kind: 'reject'; reason: Reason }
  | { kind: 'defer'; reason: Reason; retryAfterMs?: number };

/**
 * Answers "where does this address live" (MM5: prefix tables, ENUM, HLR gateways). Resolvers are
 * consulted in config order for recipients no route handler has routed; the first answer wins,
 * `undefined` means "not mine, ask the next one".
 */
export interface RoutingResolver {
  readonly name: string;
  resolve(address: Address, signal: AbortSignal): Promise<Resolution | undefined>;
}
