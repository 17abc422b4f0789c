import type { RecipientRecord, StoredMessage } from '@openmmsc/core';
import { textAnswer, type HttpAnswer } from './http-answer.js';
import { PAGE_HEADERS, partAnswer, renderMessagePage, renderNotice } from './legacy-page.js';
import type { Mm1 } from './mm1.js';

const HTML = 'text/html; charset=utf-8';

function notice(status: number, title: string, text: string): HttpAnswer {
  return { status, contentType: HTML, body: renderNotice(status, title, text), headers: { ...PAGE_HEADERS } };
}

/** The message behind a web-link token, or the page saying why there is none. */
async function openView(mm1: Mm1, token: string): Promise<{ message: StoredMessage; recipient: RecipientRecord; expiresAt: number } | HttpAnswer> {
  const ref = mm1.signer.openView(token, mm1.now());
  if (!ref) return notice(404, 'Message not found', 'This link is not valid.');
  if (ref.expired) return notice(410, 'Link expired', 'This link has expired.');
  const found = await mm1.recipientOf(ref.messageId, ref.index);
  if (!found || found.recipient.state === 'rejected') return notice(404, 'Message not found', 'This message is no longer available.');
  const { message, recipient } = found;
  if (recipient.state === 'expired' || message.expiresAt <= mm1.now()) return notice(410, 'Message expired', 'This message has expired.');
  return { message, recipient, expiresAt: Math.min(ref.expiresAt, message.expiresAt) };
}

function variantOf(recipient: RecipientRecord): string | undefined {
  return typeof recipient.attributes.variant === 'string' ? recipient.attributes.variant : undefined;
}

/** GET/HEAD `/v/<token>`: the message as a web page, for handsets without MMS. */
export async function viewPage(mm1: Mm1, token: string, head: boolean): Promise<HttpAnswer> {
  const found = await openView(mm1, token);
  if ('status' in found) return found;
  const { message, recipient, expiresAt } = found;
  const parts = await mm1.ctx.mmsc.getParts(message.id, variantOf(recipient));
  if (!parts) return notice(404, 'Message not found', 'This message is no longer available.');
  const html = renderMessagePage({ message, parts, partBase: `/v/${token}/part`, expiresAt });
  if (!head && recipient.state !== 'delivered') {
    await mm1.move(message.id, recipient.index, 'delivered', { reason: 'viewed on the web page', report: 'retrieved' });
  }
  return { status: 200, contentType: HTML, body: html, headers: { ...PAGE_HEADERS } };
}

/** GET `/v/<token>/part/<n>`: one part of that page. */
export async function viewPart(mm1: Mm1, token: string, n: number, range: string | undefined): Promise<HttpAnswer> {
  const found = await openView(mm1, token);
  if ('status' in found) return found;
  const parts = await mm1.ctx.mmsc.getParts(found.message.id, variantOf(found.recipient));
  const part = parts?.[n];
  if (!part) return textAnswer(404, 'no such part');
  return partAnswer(part, range);
}
