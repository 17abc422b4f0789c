import type { Address } from '../model/address.js';
import type { DeliveryRequest, DeliveryResult } from '../services/deliverer.js';
import type { Report } from '../services/report-sender.js';
import type { StoredMessage } from '../services/message-store.js';
import type { PluginContext } from './define-plugin.js';

/**
 * An interface whose peers are configured clients that own addresses (MM7's VASPs with their
 * short codes, EAIF's applications): messages to an address a client owns are routed to the
 * interface's target with the client as destination, delivered by the interface, and the reports
 * on what a client submitted go back over the same interface.
 */
export interface ClientInterface {
  /** The route target (`mm7`, `eaif`). */
  target: string;
  /** The interface name messages from the clients carry (`origin.interface`). */
  interface: string;
  /** The client owning an address, if any. */
  owner(address: Address): { id: string } | undefined;
  deliver(request: DeliveryRequest): Promise<DeliveryResult>;
  sendReport(report: Report, message: StoredMessage, signal: AbortSignal): Promise<void>;
}

/** Provides the `RoutingResolver`, `Deliverer` and `ReportSender` of a client interface. */
export function provideClientInterface(ctx: PluginContext<unknown>, c: ClientInterface): void {
  ctx.provide('RoutingResolver', {
    name: ctx.name,
    resolve: async (address) => {
      const owner = c.owner(address);
      return owner ? { kind: 'route', route: { target: c.target, destination: owner.id } } : undefined;
    },
  });
  ctx.provide('Deliverer', { target: c.target, deliver: (request) => c.deliver(request) });
  ctx.provide('ReportSender', { interface: c.interface, send: (report, message, signal) => c.sendReport(report, message, signal) });
}
