// inversify reads and writes class metadata through the Reflect metadata API; importing the
// polyfill once, where the container is made, is its documented setup.
import 'reflect-metadata';
import { Container } from 'inversify';
import {
  KERNEL_SERVICES,
  SERVICE_CARDINALITY,
  Services,
  type KernelServiceTypes,
  type MultiService,
  type NamedService,
  type ProvidableService,
  type ServiceResolver,
  type ServiceToken,
  type ServiceTypes,
  type SingleService,
} from '../services/tokens.js';
import type { Deliverer } from '../services/deliverer.js';
import type { ReportSender } from '../services/report-sender.js';

interface Provider {
  plugin: string;
  implementation: unknown;
}

type Cardinality = 'single' | 'multi' | 'named' | 'open';

const KERNEL_TOKENS: ReadonlySet<symbol> = new Set(KERNEL_SERVICES.map((name) => Services[name]));
const NAME_OF = new Map<symbol, ProvidableService>(
  (Object.keys(SERVICE_CARDINALITY) as ProvidableService[]).map((name) => [Services[name], name]),
);

/**
 * The kernel's inversify container and the one way services are resolved, by the kernel and by
 * plugins alike. The kernel binds its own services first; what plugins provide is collected
 * during setup and bound when every plugin is set up: the chosen one of a single service, every
 * provider of a multi service (and of a plugin's own token) in config order, named services by
 * their target or interface name. Swapping a backend is binding its token from another plugin.
 */
export class ServiceRegistry {
  private readonly container = new Container();
  private readonly providers = new Map<symbol, Provider[]>();
  private sealed = false;

  /** Binds the kernel-owned services; plugins resolve these from `setup` on. */
  bindKernel(services: KernelServiceTypes): void {
    for (const name of Object.keys(services) as Array<keyof KernelServiceTypes>) {
      this.container.bind(Services[name]).toConstantValue(services[name]);
    }
  }

  provide(plugin: string, service: string | symbol, implementation: unknown): void {
    if (this.sealed) throw new Error(`${plugin}: services can only be provided during setup`);
    const token = typeof service === 'symbol' ? service : Services[service as ProvidableService];
    if (token === undefined) throw new Error(`${plugin}: unknown service ${String(service)}`);
    if (KERNEL_TOKENS.has(token)) throw new Error(`${plugin}: ${describe(token)} is the kernel's own service; plugins cannot provide it`);
    const list = this.providers.get(token) ?? [];
    list.push({ plugin, implementation });
    this.providers.set(token, list);
  }

  /** Binds everything; `choices` maps single services to the plugin config chose. */
  seal(choices: Partial<Record<SingleService, string | undefined>>): void {
    for (const [token, list] of this.providers) {
      const name = NAME_OF.get(token);
      const cardinality: Cardinality = name ? SERVICE_CARDINALITY[name] : 'open';
      if (cardinality === 'single') {
        const chosen = choose(name as SingleService, list, choices[name as SingleService]);
        this.container.bind(token).toConstantValue(chosen.implementation);
      } else if (cardinality === 'named') {
        const seen = new Map<string, string>();
        for (const p of list) {
          const key = name === 'Deliverer' ? (p.implementation as Deliverer).target : (p.implementation as ReportSender).interface;
          const other = seen.get(key);
          if (other) throw new Error(`${p.plugin} and ${other} both provide the ${name} for "${key}"`);
          seen.set(key, p.plugin);
          this.container.bind(token).toConstantValue(p.implementation).whenNamed(key);
        }
      } else {
        for (const p of list) this.container.bind(token).toConstantValue(p.implementation);
      }
    }
    this.sealed = true;
  }

  /** Plugins that provided `service`, in config order. */
  providerNames(service: ProvidableService): string[] {
    return (this.providers.get(Services[service]) ?? []).map((p) => p.plugin);
  }

  /** Route targets some plugin provided a deliverer for. */
  deliveryTargets(): string[] {
    return (this.providers.get(Services.Deliverer) ?? []).map((p) => (p.implementation as Deliverer).target);
  }

  /** What plugins get as `ctx.services`; the kernel resolves through the same calls. */
  readonly resolver: ServiceResolver = {
    get: <T>(token: ServiceToken<T>): T => {
      this.assertResolvable(token);
      const found = this.container.get<T>(token, { optional: true });
      if (found === undefined) throw new Error(`no ${describe(token)} is bound${this.sealed ? '' : ' (yet: plugin services are bound once every plugin is set up)'}`);
      return found;
    },
    getOptional: <T>(token: ServiceToken<T>): T | undefined => {
      this.assertResolvable(token);
      return this.container.get<T>(token, { optional: true });
    },
    getAll: <T>(token: ServiceToken<T>): T[] => {
      this.assertResolvable(token);
      return this.container.isBound(token) ? this.container.getAll<T>(token) : [];
    },
    getNamed: <T>(token: ServiceToken<T>, name: string): T | undefined => {
      this.assertResolvable(token);
      return this.container.get<T>(token, { name, optional: true });
    },
  };

  single<K extends SingleService>(service: K): ServiceTypes[K] | undefined {
    return this.resolver.getOptional(Services[service] as ServiceToken<ServiceTypes[K]>);
  }

  all<K extends MultiService>(service: K): ServiceTypes[K][] {
    return this.resolver.getAll(Services[service] as ServiceToken<ServiceTypes[K]>);
  }

  named<K extends NamedService>(service: K, name: string): ServiceTypes[K] | undefined {
    return this.resolver.getNamed(Services[service] as ServiceToken<ServiceTypes[K]>, name);
  }

  /** Plugin services are not bound during setup: asking then is a mistake, not "none". */
  private assertResolvable(token: symbol): void {
    if (!this.sealed && !KERNEL_TOKENS.has(token)) {
      throw new Error(`${describe(token)} is provided by plugins and resolves once every plugin is set up: ask from a hook or start, not setup`);
    }
  }
}

function choose(service: SingleService, list: Provider[], wanted: string | undefined): Provider {
  if (wanted) {
    const found = list.find((p) => p.plugin === wanted);
    if (!found) {
      throw new Error(`services.${lowerFirst(service)} names ${wanted}, but it provides no ${service}; providers: ${list.map((p) => p.plugin).join(', ')}`);
    }
    return found;
  }
  if (list.length > 1) {
    throw new Error(`several plugins provide a ${service} (${list.map((p) => p.plugin).join(', ')}); choose one with services.${lowerFirst(service)}`);
  }
  return list[0]!;
}

function describe(token: symbol): string {
  return (token.description ?? String(token)).replace(/^openmmsc\./, '');
}

function lowerFirst(s: string): string {
  return s[0]!.toLowerCase() + s.slice(1);
}
