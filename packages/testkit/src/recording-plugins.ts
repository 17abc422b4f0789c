import { definePlugin, type PushRequest, type Report } from '@openmmsc/core';

/** A push bearer that keeps what it was asked to send, for assertions. */
export function recordingPushBearer(name = 'test-push') {
  const pushes: PushRequest[] = [];
  const plugin = definePlugin({
    name,
    version: '0.0.0',
    apiVersion: '^1.0.0',
    setup(ctx) {
      ctx.provide('PushBearer', {
        name,
        push: async (request) => {
          pushes.push(request);
          return { status: 'sent', reference: `push-${pushes.length}` };
        },
      });
    },
  });
  return { plugin, pushes };
}

/** A report sender for one interface that keeps the reports it was given. */
export function recordingReportSender(iface: string, name = `test-reports-${iface}`) {
  const reports: Report[] = [];
  const plugin = definePlugin({
    name,
    version: '0.0.0',
    apiVersion: '^1.0.0',
    setup(ctx) {
      ctx.provide('ReportSender', {
        interface: iface,
        send: async (report) => {
          reports.push(report);
        },
      });
    },
  });
  return { plugin, reports };
}

/** A deliverer for one route target that records each recipient handed to it and answers `delivered`. */
export function recordingDeliverer(target: string, name = `test-deliver-${target}`) {
  const delivered: string[] = [];
  const plugin = definePlugin({
    name,
    version: '0.0.0',
    apiVersion: '^1.0.0',
    setup(ctx) {
      ctx.provide('Deliverer', {
        target,
        deliver: async ({ recipient }) => {
          delivered.push(recipient.address.value);
          return { status: 'delivered' };
        },
      });
    },
  });
  return { plugin, delivered };
}
