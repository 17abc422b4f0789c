import { Container, type ServiceIdentifier } from 'inversify';
import { SERVICE_CARDINALITY, Services, type ProvidableService, type ServiceTypes } from '../services/tokens.js';
import type { Deliverer } from '../services/deliverer.js';
import type { ReportSender } from '../services/report-sender.js';

interface Provider<K extends ProvidableService> {
  plugin: string;
  implementation: ServiceTypes[K];
}

/**
 * Collects what plugins provide, then binds it in the inversify container: the chosen one of a
 * single service, every provider of a multi service in config order, named services by their
 * target or interface name. Swapping a backend is choosing a different plugin in config.
 */
export class ServiceRegistry {
  readonly container: Container;
  private readonly providers = new Map<ProvidableService, Provider<ProvidableService>[]>();
  private sealed = false;

  constructor(container: Container) {
    this.container = container;
  }

  provide<K extends ProvidableService>(plugin: string, service: K, implementation: ServiceTypes[K]): void {
    if (this.sealed) throw new Error(`${plugin}: services can only be provided during setup`);
    if (!(service in SERVICE_CARDINALITY)) throw new Error(`${plugin}: unknown service ${String(service)}`);
    const list = this.providers.get(service) ?? [];
    list.push({ plugin, implementation });
    this.providers.set(service, list);
  }

  /** Binds everything; `choices` maps single services to the plugin config chose. */
  seal(choices: Partial<Record<'PushBearer' | 'Transcoder', string | undefined>>): void {
    for (const [service, list] of this.providers) {
      const token = Services[service] as ServiceIdentifier<unknown>;
      const cardinality = SERVICE_CARDINALITY[service];
      if (cardinality === 'single') {
        const wanted = choices[service as 'PushBearer' | 'Transcoder'];
        let chosen = list[0]!;
        if (wanted) {
          const found = list.find((p) => p.plugin === wanted);
          if (!found) {
            throw new Error(
              `services.${lowerFirst(service)} names ${wanted}, but it provides no ${service}; providers: ${list.map((p) => p.plugin).join(', ')}`,
            );
          }
          chosen = found;
        } else if (list.length > 1) {
          throw new Error(
            `several plugins provide a ${service} (${list.map((p) => p.plugin).join(', ')}); choose one with services.${lowerFirst(service)}`,
          );
        }
        this.container.bind(token).toConstantValue(chosen.implementation);
      } else if (cardinality === 'multi') {
        for (const p of list) this.container.bind(token).toConstantValue(p.implementation);
      } else {
        const seen = new Map<string, string>();
        for (const p of list) {
          const name = service === 'Deliverer' ? (p.implementation as Deliverer).target : (p.implementation as ReportSender).interface;
          const other = seen.get(name);
          if (other) throw new Error(`${p.plugin} and ${other} both provide the ${service} for "${name}"`);
          seen.set(name, p.plugin);
          this.container.bind(token).toConstantValue(p.implementation).whenNamed(name);
        }
      }
    }
    this.sealed = true;
  }

  /** Plugins that provided `service`, in config order. */
  providerNames(service: ProvidableService): string[] {
    return this.listOf(service).map((p) => p.plugin);
  }

  /** Route targets some plugin provided a deliverer for. */
  deliveryTargets(): string[] {
    return this.listOf('Deliverer').map((p) => (p.implementation as Deliverer).target);
  }

  private listOf(service: ProvidableService): Provider<ProvidableService>[] {
    return this.providers.get(service) ?? [];
  }

  single<K extends 'PushBearer' | 'Transcoder'>(service: K): ServiceTypes[K] | undefined {
    return this.container.get<ServiceTypes[K]>(Services[service], { optional: true });
  }

  all<K extends 'RoutingResolver' | 'ChargingBackend'>(service: K): ServiceTypes[K][] {
    if (!this.container.isBound(Services[service])) return [];
    return this.container.getAll<ServiceTypes[K]>(Services[service]);
  }

  named<K extends 'Deliverer' | 'ReportSender'>(service: K, name: string): ServiceTypes[K] | undefined {
    return this.container.get<ServiceTypes[K]>(Services[service], { name, optional: true });
  }
}

function lowerFirst(s: string): string {
  return s[0]!.toLowerCase() + s.slice(1);
}
