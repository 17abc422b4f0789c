import { SmsReassembler, decodePdu, decodeWapPush, encodePdu, encodeWapPush, type MmsPdu } from '@openmmsc/codec';
import { definePlugin, type PushBearer } from '@openmmsc/core';
import type { SubmittedSms } from '@openmmsc/testkit';

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

/** What a handset gets: every submit reassembled, per destination. */
export function reassemble(submits: readonly SubmittedSms[]): Map<string, Array<{ payload: Buffer; segments: number; ports?: { destination: number; source: number } }>> {
  const r = new SmsReassembler();
  const out = new Map<string, Array<{ payload: Buffer; segments: number; ports?: { destination: number; source: number } }>>();
  for (const s of submits) {
    const done = r.push(s.destinationAddr, s.shortMessage, (s.esmClass & 0x40) !== 0);
    if (done) {
      const list = out.get(s.destinationAddr) ?? [];
      const item: { payload: Buffer; segments: number; ports?: { destination: number; source: number } } = { payload: done.payload, segments: done.segments };
      if (done.ports) item.ports = done.ports;
      list.push(item);
      out.set(s.destinationAddr, list);
    }
  }
  return out;
}

/** Decodes a reassembled WAP Push to its m-notification-ind. */
export function decodeNotification(payload: Uint8Array) {
  const push = decodeWapPush(payload);
  const pdu = decodePdu(push.body) as { messageType: string; transactionId?: string; contentLocation?: string; messageSize?: number };
  return { push, pdu };
}

/** Fast job retries for tests. */
export const fastJobs = {
  jobs: { notify: { backoffBase: 50, backoffMax: 400, maxAttempts: 40, jitter: 0 } },
} as const;

export function link(port: number, extra: Record<string, unknown> = {}) {
  return {
    host: '127.0.0.1',
    port,
    systemId: 'mmsc',
    password: 'secret',
    systemType: 'WAP',
    sourceAddr: '1234',
    sourceTon: 6,
    sourceNpi: 0,
    enquireLinkMs: 1000,
    responseTimeoutMs: 2000,
    reconnect: { baseMs: 50, maxMs: 400 },
    ...extra,
  };
}
