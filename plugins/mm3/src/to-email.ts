import type { Address, MmsPart, StoredMessage } from '@openmmsc/core';
import type { MailOptions } from './mailer.js';
import type { Mm3Options } from './options.js';
import { escapeHtml } from '@openmmsc/mime';

const EXT: Record<string, string> = {
  'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp', 'image/bmp': 'bmp', 'image/vnd.wap.wbmp': 'wbmp',
  'audio/amr': 'amr', 'audio/mpeg': 'mp3', 'audio/mp4': 'm4a', 'audio/aac': 'aac', 'audio/ogg': 'ogg', 'audio/midi': 'mid',
  'video/3gpp': '3gp', 'video/mp4': 'mp4', 'text/x-vcard': 'vcf', 'text/vcard': 'vcf', 'text/x-vcalendar': 'vcs', 'application/smil': 'smil',
  'text/plain': 'txt', 'text/html': 'html',
};


export function partText(part: MmsPart): string {
  const charset = part.contentType.params.charset ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(part.data);
  } catch {
    return Buffer.from(part.data).toString('utf8');
  }
}

/** The e-mail address an MMS sender appears as: `+15551234567@mms.example.net`. */
export function senderEmail(from: Address, options: Mm3Options): string {
  if (from.type === 'email') return from.value;
  const domain = options.fromDomain ?? options.domain;
  const local = from.type === 'plmn' && options.fromLocalPart === 'digits' ? from.value.slice(1) : from.value;
  return `${local}@${domain}`;
}

/**
 * A readable e-mail of an MMS: text/plain of its text parts, a text/html alternative with images
 * inline (cid:), other media as attachments; SMIL dropped or kept; an optional footer.
 */
export function mmsToEmail(message: StoredMessage, parts: readonly MmsPart[], to: string, options: Mm3Options): MailOptions {
  const o = options.outbound;
  const texts: string[] = [];
  const html: string[] = [];
  const attachments: NonNullable<MailOptions['attachments']> = [];
  let n = 0;
  for (const part of parts) {
    n += 1;
    const type = part.contentType.type;
    if (type === 'application/smil') {
      if (o.smil === 'keep') attachments.push({ filename: part.contentLocation ?? 'presentation.smil', content: Buffer.from(part.data), contentType: 'application/smil' });
      continue;
    }
    if (type === 'text/plain') {
      const t = partText(part);
      texts.push(t);
      html.push(`<p>${escapeHtml(t).replace(/\r?\n/g, '<br>')}</p>`);
      continue;
    }
    const filename = part.contentLocation && !part.contentLocation.includes('/') ? part.contentLocation : `part${n}.${EXT[type] ?? 'bin'}`;
    if (type.startsWith('image/') && o.html) {
      const cid = `part${n}.${message.id}@${options.fromDomain ?? options.domain}`;
      html.push(`<p><img src="cid:${cid}" alt="${escapeHtml(filename)}" style="max-width:100%"></p>`);
      attachments.push({ filename, content: Buffer.from(part.data), contentType: type, cid, contentDisposition: 'inline' });
      continue;
    }
    const contentType = Object.keys(part.contentType.params).length && part.contentType.params.charset ? `${type}; charset=${part.contentType.params.charset}` : type;
    attachments.push({ filename, content: Buffer.from(part.data), contentType, contentDisposition: 'attachment' });
  }
  if (o.footer) {
    texts.push(`-- \n${o.footer}`);
    html.push(`<hr><p style="color:#666;font-size:small">${escapeHtml(o.footer).replace(/\r?\n/g, '<br>')}</p>`);
  }
  const from = senderEmail(message.headers.from, options);
  const mail: MailOptions = {
    from: message.headers.senderVisibility === 'hide' ? `anonymous@${options.fromDomain ?? options.domain}` : from,
    to,
    subject: message.headers.subject?.text || o.defaultSubject,
    text: texts.join('\n\n'),
    date: message.headers.date ?? new Date(message.receivedAt),
    messageId: `<${message.id}@${options.fromDomain ?? options.domain}>`,
    headers: { 'X-Mms-Message-ID': message.id },
    envelope: { from: message.headers.senderVisibility === 'hide' ? `anonymous@${options.fromDomain ?? options.domain}` : from, to: [to] },
    attachments,
  };
  if (o.html) mail.html = `<!doctype html><html><body>${html.join('\n')}</body></html>`;
  if (message.headers.priority === 'high') mail.priority = 'high';
  else if (message.headers.priority === 'low') mail.priority = 'low';
  return mail;
}
