import { createHash } from 'node:crypto';
import type { RecipientRecord } from '@openmmsc/core';
import type { AdaptationCapabilities } from './adapt.js';
import { LIMIT_KEYS, type AdaptationClassConfig, type Mm11Options, type PeerProfileConfig } from './options.js';

type LimitFields = Omit<AdaptationClassConfig, 'name'>;

/** The limits a class or profile sets, as the capabilities of class `name`. */
function toCaps(name: string, f: LimitFields): AdaptationCapabilities {
  const limits: Partial<Pick<AdaptationCapabilities, (typeof LIMIT_KEYS)[number]>> = {};
  for (const key of LIMIT_KEYS) if (f[key] !== undefined) (limits as Record<string, unknown>)[key] = f[key];
  return { class: name, ...limits };
}

function defined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

function matchesDestination(pattern: string, destination: string): boolean {
  const p = pattern.toLowerCase();
  const d = destination.toLowerCase();
  if (p.startsWith('*.')) return d.endsWith(p.slice(1)) || d === p.slice(2);
  return p === d;
}

/** Short stable hash, for naming capability sets in cache keys. */
export function shortHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 8);
}

/** Adaptation classes, peer profiles and route-target defaults, resolved from options. */
export class ClassTable {
  readonly #classes = new Map<string, AdaptationClassConfig>();
  constructor(private readonly options: Pick<Mm11Options, 'classes' | 'targets' | 'peers'>) {
    for (const c of options.classes) this.#classes.set(c.name, c);
    for (const [target, name] of Object.entries(options.targets)) {
      if (name !== 'none' && !this.#classes.has(name)) throw new Error(`targets.${target}: unknown class "${name}" (classes: ${[...this.#classes.keys()].join(', ')})`);
    }
    for (const [i, p] of options.peers.entries()) {
      if (p.class && !this.#classes.has(p.class)) throw new Error(`peers[${i}].class: unknown class "${p.class}"`);
    }
  }

  classNames(): string[] {
    return [...this.#classes.keys()];
  }

  byName(name: string): AdaptationCapabilities | undefined {
    const c = this.#classes.get(name);
    return c ? toCaps(c.name, c) : undefined;
  }

  /** Classes sorted by message size, smallest first (classes without a size last). */
  bySize(): AdaptationClassConfig[] {
    return [...this.#classes.values()].sort((a, b) => (a.maxMessageSize ?? Infinity) - (b.maxMessageSize ?? Infinity));
  }

  peer(destination: string): AdaptationCapabilities | undefined {
    const p: PeerProfileConfig | undefined = this.options.peers.find((x) => matchesDestination(x.destination, destination));
    if (!p) return undefined;
    const base = p.class ? this.#classes.get(p.class) : undefined;
    const { destination: _d, class: _c, ...own } = p;
    return toCaps(`peer:${p.destination}`, { ...(base ? defined(base) : {}), ...defined(own) });
  }

  /**
   * Capabilities known at route time: an MM4 peer's profile by `route.destination`, else the
   * class configured for the route target; `none` or unlisted targets are not adapted.
   */
  forRecipient(recipient: Pick<RecipientRecord, 'address' | 'route'>): AdaptationCapabilities | undefined {
    const route = recipient.route;
    if (!route) return undefined;
    if (route.destination && (route.target === 'mm4' || this.options.peers.length > 0)) {
      const peer = this.peer(route.destination);
      if (peer) return peer;
    }
    const name = this.options.targets[route.target];
    if (!name || name === 'none') return undefined;
    return this.byName(name);
  }

  /** Fills what `caps` leaves open from the class of the same name (when there is one). */
  complete(caps: AdaptationCapabilities): AdaptationCapabilities {
    const base = this.#classes.get(caps.class);
    if (!base) return caps;
    return { ...toCaps(base.name, base), ...defined(caps) };
  }
}
