import type { PushRequest, Report } from '@openmmsc/core';
import { serviceProvider } from './service-provider.js';

/** A push bearer that keeps what it was asked to send, for assertions. */
export function recordingPushBearer(name = 'test-push') {
  const pushes: PushRequest[] = [];
  const plugin = serviceProvider(name, 'PushBearer', () => ({
    name,
    push: async (request) => {
      pushes.push(request);
      return { status: 'sent', reference: `push-${pushes.length}` };
    },
  }));
  return { plugin, pushes };
}

/** A report sender for one interface that keeps the reports it was given. */
export function recordingReportSender(iface: string, name = `test-reports-${iface}`) {
  const reports: Report[] = [];
  const plugin = serviceProvider(name, 'ReportSender', () => ({
    interface: iface,
    send: async (report) => {
      reports.push(report);
    },
  }));
  return { plugin, reports };
}

/** A deliverer for one route target that records each recipient handed to it and answers `delivered`. */
export function recordingDeliverer(target: string, name = `test-deliver-${target}`) {
  const delivered: string[] = [];
  const plugin = serviceProvider(name, 'Deliverer', () => ({
    target,
    deliver: async ({ recipient }) => {
      delivered.push(recipient.address.value);
      return { status: 'delivered' };
    },
  }));
  return { plugin, delivered };
}
