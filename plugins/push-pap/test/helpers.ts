import { SmsReassembler, decodePdu, decodeWapPush, encodePdu, encodeWapPush, type MmsPdu } from '@openmmsc/codec';
import { definePlugin, type PushBearer } from '@openmmsc/core';

/** Routes +1555… to local handsets. */
export const localPhones = definePlugin({
  name: 'phones',
  version: '0.0.0',
  apiVersion: '^1.0.0',
  setup(ctx) {
    ctx.provide('RoutingResolver', {
      name: 'phones',
      resolve: async (a) => (a.type === 'plmn' && a.value.startsWith('+1555') ? { kind: 'route', route: { target: 'local' } } : undefined),
    });
  },
});

/** What the MM1 plugin will do for real: a notify hook that builds the WSP push of an m-notification-ind. */
export function notificationBuilder(opts: { pad?: number } = {}) {
  return definePlugin({
    name: 'test-notification-builder',
    version: '0.0.0',
    apiVersion: '^1.0.0',
    setup() {
      return {
        notify(n) {
          const contentLocation = `http://mmsc.test/m/${n.notification.messageId}${opts.pad ? `?pad=${'x'.repeat(opts.pad)}` : ''}`;
          n.notification.contentLocation = contentLocation;
          n.pdu = encodeWapPush({ transactionId: 1, body: notificationPdu(n.notification.messageId, n.notification.size, contentLocation) });
        },
      };
    },
  });
}

export function notificationPdu(messageId: string, size: number, contentLocation: string): Buffer {
  return encodePdu({
    messageType: 'm-notification-ind',
    transactionId: `T${messageId}`,
    mmsVersion: '1.3',
    messageClass: 'personal',
    messageSize: size,
    expiry: { relativeSeconds: 3600 },
    contentLocation,
  } as MmsPdu);
}

/** Exposes the configured push bearer to a test (call `bearer()` after start). */
export function bearerProbe() {
  let found: PushBearer | undefined;
  const plugin = definePlugin({
    name: 'test-bearer-probe',
    version: '0.0.0',
    apiVersion: '^1.0.0',
    setup(ctx) {
      return {
        start() {
          found = ctx.service('PushBearer');
        },
      };
    },
  });
  return {
    plugin,
    bearer(): PushBearer {
      if (!found) throw new Error('no push bearer');
      return found;
    },
  };
}

/** Reassembles SMS (user data with UDH) per receiver, as a handset would. */
export function reassemble(sms: ReadonlyArray<{ receiver: string; udh?: Buffer; data: Buffer }>) {
  const r = new SmsReassembler();
  const out: Array<{ receiver: string; payload: Buffer; segments: number; ports?: { destination: number; source: number } }> = [];
  for (const s of sms) {
    const done = s.udh ? r.push(s.receiver, Buffer.concat([s.udh, s.data])) : r.push(s.receiver, s.data, false);
    if (done) {
      const item: (typeof out)[number] = { receiver: s.receiver, payload: done.payload, segments: done.segments };
      if (done.ports) item.ports = done.ports;
      out.push(item);
    }
  }
  return out;
}

export function decodeNotification(payload: Uint8Array) {
  const push = decodeWapPush(payload);
  const pdu = decodePdu(push.body) as { messageType: string; transactionId?: string; contentLocation?: string; messageSize?: number };
  return { push, pdu };
}

export const fastJobs = {
  jobs: { notify: { backoffBase: 50, backoffMax: 400, maxAttempts: 40, jitter: 0 } },
} as const;
