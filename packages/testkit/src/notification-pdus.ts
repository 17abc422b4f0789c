import { decodePdu, decodeWapPush, encodePdu, encodeWapPush, type MmsPdu } from '@openmmsc/codec';
import { definePlugin, type PluginDefinition } from '@openmmsc/core';

/** An m-notification-ind as MM1 would send it, for tests of push bearers without MM1. */
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

/**
 * A notify hook doing what MM1 does: sets the content location and the WSP push of an
 * m-notification-ind. `pad` lengthens the URL, to make the push span several SMS.
 */
export function notificationBuilder(opts: { pad?: number } = {}): PluginDefinition {
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

/** A decoded notification as a handset reads it off a reassembled WAP Push. */
export interface DecodedNotification {
  push: ReturnType<typeof decodeWapPush>;
  pdu: { messageType: string; transactionId?: string; contentLocation?: string; messageSize?: number };
}

/** Decodes a reassembled WAP Push to its m-notification-ind. */
export function decodeNotification(payload: Uint8Array): DecodedNotification {
  const push = decodeWapPush(payload);
  return { push, pdu: decodePdu(push.body) as DecodedNotification['pdu'] };
}
