import { verdict, type HookResult, type NotificationInfo, type NotifyContext, type RecipientRecord, type StoredMessage } from '@openmmsc/core';
import { encodePdu, encodeWapPush, type NotificationInd } from '@openmmsc/codec';
import { toEncodedAddress, toEncodedString } from './convert.js';
import { expiryIn, type Dialect } from './dialects.js';
import { cancelPush } from './cancel.js';
import type { Mm1 } from './mm1.js';

/** The notify hook: builds the m-notification-ind (or, for handsets without MMS, the SMS text with a web link). */
export async function notify(mm1: Mm1, n: NotifyContext): Promise<HookResult> {
  if (n.notification.kind === 'cancel') return cancelPush(mm1, n);
  if (!mm1.baseUrl) return verdict.defer('network-problem', 'the MM1 server is not listening yet', 1000);
  const { message, recipient } = n;
  const now = mm1.now();
  if (recipient.attributes.mm1Deferred === true) {
    // The handset deferred retrieval: no more notifications; the message waits for a fetch or expiry.
    return verdict.defer('network-problem', 'retrieval deferred by the handset; waiting for a fetch or expiry', Math.max(1000, message.expiresAt - now + 1000));
  }
  // Pushed before the handset has said anything: its dialect comes from its number or what it said last.
  const dialect = await mm1.dialects.forSubscriber(recipient.address.value);
  n.notification.contentLocation = mm1.contentUrl(message.id, recipient.index, dialect);
  if (mm1.o.legacy.enabled && recipient.address.type === 'plmn' && (await mm1.subscribers.isLegacy(recipient, now))) {
    n.text = legacyText(mm1, message, recipient);
    return;
  }
  n.pdu = notificationPush(mm1, n.notification, message, recipient.index, dialect);
  return;
}

/** The WAP Push carrying an m-notification-ind for one recipient. */
export function notificationPush(mm1: Mm1, info: NotificationInfo, message: StoredMessage, index: number, dialect: Dialect): Buffer {
  const ind: NotificationInd = {
    messageType: 'm-notification-ind',
    transactionId: mm1.signer.content(message.id, index),
    mmsVersion: dialect.mmsVersion,
    messageClass: info.messageClass ?? 'personal',
    messageSize: info.size,
    expiry: expiryIn(dialect, info.expiry, mm1.now()),
    contentLocation: info.contentLocation ?? mm1.contentUrl(message.id, index, dialect),
  };
  if (info.from) ind.from = toEncodedAddress(info.from);
  if (info.subject) ind.subject = toEncodedString(info.subject);
  if (message.headers.priority) ind.priority = message.headers.priority;
  if (message.headers.deliveryReport !== undefined) ind.deliveryReport = message.headers.deliveryReport;
  if (info.replaces) ind.replaceId = info.replaces;
  return encodeWapPush({ transactionId: (Math.random() * 256) | 0, body: encodePdu(ind) });
}

/** A short-lived web link to the message, for handsets without MMS. */
export function viewUrl(mm1: Mm1, message: StoredMessage, index: number): string {
  const expires = Math.min(message.expiresAt, mm1.now() + mm1.o.legacy.linkTtl);
  return `${mm1.baseUrl}/v/${mm1.signer.view(message.id, index, expires)}`;
}

/** The text SMS a handset without MMS gets. */
export function legacyText(mm1: Mm1, message: StoredMessage, recipient: RecipientRecord): string {
  const h = message.headers;
  const from = h.senderVisibility === 'hide' ? 'a hidden sender' : h.from.value;
  let subject = h.subject?.text.trim() ?? '';
  if (subject.length > 40) subject = `${subject.slice(0, 39)}…`;
  const text = mm1.o.legacy.text
    .replaceAll('{from}', from)
    .replaceAll('{subject}', subject)
    .replaceAll('{url}', viewUrl(mm1, message, recipient.index));
  return text.replace(/ : /g, ' ').replace(/\s{2,}/g, ' ').trim();
}

/** Sends the web link now, outside the notify job (after an Unrecognised answer). */
export async function pushLegacyLink(mm1: Mm1, message: StoredMessage, recipient: RecipientRecord): Promise<void> {
  const bearer = mm1.ctx.service('PushBearer');
  if (!bearer) return;
  const info: NotificationInfo = {
    messageId: message.id,
    recipient: recipient.address,
    size: message.size,
    expiry: new Date(message.expiresAt),
    kind: 'message',
    contentLocation: mm1.contentUrl(message.id, recipient.index),
  };
  const result = await bearer.push({ to: recipient.address, notification: info, text: legacyText(mm1, message, recipient) }, AbortSignal.timeout(30_000));
  if (result.status !== 'sent') mm1.ctx.log.warn({ messageId: message.id, recipient: recipient.address.value, result }, 'web link SMS not sent');
}
