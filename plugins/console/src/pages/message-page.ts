import { FINAL_STATES, formatAddress, formatContentType, type MmsPart, type RecipientRecord, type StoredMessage } from '@openmmsc/core';
import { retrieveConf } from '@openmmsc/plugin-mm1';
import type { Session } from '../auth/sessions.js';
import { html, time, type Html } from '../http/html.js';
import { pduTree } from './pdu-tree.js';
import { attributesOf, timeline } from './timeline.js';

export interface MessageView {
  message: StoredMessage;
  parts: MmsPart[];
  recipients: RecipientRecord[];
}

/** Headers, parts (shown), the PDU tree, and each recipient's timeline with its actions. */
export function messagePage(prefix: string, session: Session, v: MessageView): Html {
  const { message: m } = v;
  const h = m.headers;
  const row = (k: string, value: unknown) => (value === undefined || value === '' ? '' : html`<tr><th>${k}</th><td>${value}</td></tr>`);
  const base = `${prefix}/messages/${encodeURIComponent(m.id)}`;
  return html`<section class="headers"><h3>Headers</h3><table class="kv">
${row('Message-ID', h.messageId ?? m.id)}${row('From', formatAddress(h.from))}${row('To', h.to.map(formatAddress).join(', '))}${row('Cc', h.cc.map(formatAddress).join(', '))}${row('Bcc', h.bcc.map(formatAddress).join(', '))}
${row('Subject', h.subject?.text)}${row('Date', time(h.date?.getTime()))}${row('Received', time(m.receivedAt))}${row('Expires', time(m.expiresAt))}
${row('Class', h.messageClass)}${row('Priority', h.priority)}${row('Delivery report', h.deliveryReport === undefined ? undefined : String(h.deliveryReport))}${row('Read report', h.readReport === undefined ? undefined : String(h.readReport))}
${row('Content-Type', formatContentType(h.contentType))}${row('Size', `${m.size} bytes in ${m.partCount} parts`)}${row('Interface', m.origin.interface)}${row('Peer', m.origin.peer)}
${Object.entries(h.extra ?? {}).map(([k, x]) => row(k, x))}</table></section>
<section class="recipients"><h3>Recipients</h3>${v.recipients.map((r) => recipientSection(base, session, r))}</section>
<section class="parts"><h3>Parts</h3>${v.parts.map((p, i) => partView(base, p, i))}</section>
<section class="pdu"><h3>PDU (m-retrieve-conf, decoded by the codec)</h3>${pduTree({ ...retrieveConf(m, v.parts, '1.3'), transactionId: 'console' })}</section>`;
}

function recipientSection(base: string, session: Session, r: RecipientRecord): Html {
  const canAct = session.role !== 'view';
  const final = FINAL_STATES.has(r.state);
  const action = (name: string, label: string, show: boolean) =>
    show
      ? html`<form method="post" action="${base}/actions" class="action"><input type="hidden" name="_csrf" value="${session.csrf}"><input type="hidden" name="index" value="${r.index}"><input type="hidden" name="action" value="${name}"><button>${label}</button></form>`
      : '';
  const local = r.route?.target === 'local';
  return html`<article class="recipient" id="r${r.index}" data-address="${r.address.value}"><h4>${formatAddress(r.address)} <small>${r.kind}</small> <span class="state state-${r.state}">${r.state}</span></h4>
${attributesOf(r)}${timeline(r)}
${canAct ? html`<div class="actions">${action('resend-notification', 'Resend notification', local && !final)}${action('retry-now', 'Retry delivery now', !final)}${action('cancel', 'Cancel message', !final)}${action('block-sender', 'Block sender', true)}</div>` : ''}</article>`;
}

function partView(base: string, p: MmsPart, i: number): Html {
  const type = p.contentType.type;
  const url = `${base}/parts/${i}`;
  const label = html`<p class="part-head">#${i} <code>${formatContentType(p.contentType)}</code> ${p.contentId ? html`id <code>${p.contentId}</code>` : ''} ${p.contentLocation ? html`location <code>${p.contentLocation}</code>` : ''} ${p.data.byteLength} bytes · <a href="${url}">raw</a></p>`;
  let body: Html | string = '';
  if (type.startsWith('image/')) body = html`<img src="${url}" alt="part ${i}" class="part-image">`;
  else if (type.startsWith('video/')) body = html`<video src="${url}" controls preload="metadata" class="part-video"></video>`;
  else if (type.startsWith('audio/')) body = html`<audio src="${url}" controls preload="metadata"></audio>`;
  else if (type.startsWith('text/') || type === 'application/smil') body = html`<pre class="${type === 'application/smil' ? 'smil' : 'text'}">${decodeText(p)}</pre>`;
  return html`<div class="part">${label}${body}</div>`;
}

export function decodeText(p: MmsPart): string {
  const charset = p.contentType.params.charset ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(p.data);
  } catch {
    return new TextDecoder('utf-8').decode(p.data);
  }
}

/** How a part is served: media and plain text as themselves, anything else as a download. */
export function servedType(p: MmsPart): { type: string; download: boolean } {
  const t = p.contentType.type;
  if (/^(image\/(png|jpeg|gif|webp|bmp)|video\/|audio\/)/.test(t)) return { type: t, download: false };
  if (t.startsWith('text/') || t === 'application/smil') return { type: 'text/plain; charset=utf-8', download: false };
  return { type: 'application/octet-stream', download: true };
}
