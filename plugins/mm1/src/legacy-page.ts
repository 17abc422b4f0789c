import type { ContentType, MmsPart, StoredMessage } from '@openmmsc/core';
import { sliceRange, type HttpAnswer } from './http-answer.js';
import { escapeHtml } from '@openmmsc/mime';

/** Media types a browser may show inline; anything else is offered as a download. */
export function inlineKind(type: string): 'text' | 'image' | 'audio' | 'video' | 'smil' | 'other' {
  if (type === 'text/plain') return 'text';
  if (type === 'application/smil') return 'smil';
  if (/^image\/(jpeg|jpg|png|gif|webp|bmp|avif)$/.test(type)) return 'image';
  if (/^audio\//.test(type)) return 'audio';
  if (/^video\//.test(type)) return 'video';
  return 'other';
}

/** Headers of the web page: nothing but its own images and media, no scripts, never framed. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'private, no-store',
};

/** Headers of media served on the web: never sniffed into something active, never framed. */
export const PART_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
  'cache-control': 'private, max-age=300',
};

/** The content type a part is served with on the web: never active content (HTML, SVG, scripts). */
export function safeServedType(type: string): string {
  const kind = inlineKind(type);
  if (kind === 'text') return 'text/plain; charset=utf-8';
  if (kind === 'image' || kind === 'audio' || kind === 'video') return type;
  return 'application/octet-stream';
}

/** Types a browser would run rather than show (markup, scripts, WML, Flash). */
const ACTIVE = /html|xml|svg|script|wml|flash/i;

/** An original part's own type (with its charset), unless a browser would run it: then a download. */
export function originalServedType(ct: ContentType): string {
  if (ACTIVE.test(ct.type)) return 'application/octet-stream';
  const charset = ct.params.charset;
  return charset && /^[\w.:-]{1,40}$/.test(charset) ? `${ct.type}; charset=${charset}` : ct.type;
}

/** One part served on the web (a `bytes=` range of it), with a content type that is never active. */
export function partAnswer(part: MmsPart, range: string | undefined, servedType: (ct: ContentType) => string = (ct) => safeServedType(ct.type)): HttpAnswer {
  const answer = sliceRange(Buffer.from(part.data.buffer, part.data.byteOffset, part.data.byteLength), range);
  answer.contentType = servedType(part.contentType);
  answer.headers = { ...answer.headers, ...PART_HEADERS };
  if (answer.contentType === 'application/octet-stream') answer.headers['content-disposition'] = 'attachment';
  return answer;
}

export function partText(part: MmsPart): string {
  const cs = (part.contentType.params.charset ?? 'utf-8').toLowerCase();
  const enc: BufferEncoding = cs === 'iso-8859-1' || cs === 'latin1' || cs === 'us-ascii' ? 'latin1' : cs === 'utf-16' || cs === 'utf-16le' ? 'utf16le' : 'utf8';
  return Buffer.from(part.data.buffer, part.data.byteOffset, part.data.byteLength).toString(enc);
}

function partName(part: MmsPart, n: number): string {
  const fromDisposition = /filename="?([^";]+)"?/i.exec(part.contentDisposition ?? '')?.[1];
  return part.contentType.params.name ?? fromDisposition ?? part.contentLocation ?? `part-${n + 1}`;
}

export interface PageInput {
  message: StoredMessage;
  parts: readonly MmsPart[];
  /** URL prefix of the parts: `${base}/${n}`. */
  partBase: string;
  expiresAt: number;
}

/** A plain HTML page showing an MMS: texts, images, audio and video players, downloads. */
export function renderMessagePage({ message, parts, partBase, expiresAt }: PageInput): string {
  const h = message.headers;
  const from = h.senderVisibility === 'hide' ? 'a hidden sender' : h.from.value;
  const subject = h.subject?.text;
  const body: string[] = [];
  parts.forEach((part, n) => {
    const src = `${partBase}/${n}`;
    switch (inlineKind(part.contentType.type)) {
      case 'smil':
        return; // layout only
      case 'text':
        body.push(`<p class="text">${escapeHtml(partText(part)).replace(/\r?\n/g, '<br>')}</p>`);
        return;
      case 'image':
        body.push(`<figure><img src="${src}" alt="${escapeHtml(partName(part, n))}"></figure>`);
        return;
      case 'audio':
        body.push(`<figure><audio controls preload="metadata" src="${src}"></audio></figure>`);
        return;
      case 'video':
        body.push(`<figure><video controls preload="metadata" src="${src}"></video></figure>`);
        return;
      default:
        body.push(`<p class="file"><a href="${src}" download="${escapeHtml(partName(part, n))}">${escapeHtml(partName(part, n))}</a> (${part.data.byteLength} bytes)</p>`);
    }
  });
  const title = subject ? escapeHtml(subject) : 'Multimedia message';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;color:#222}
header{border-bottom:1px solid #ddd;margin-bottom:1rem}
.meta{color:#666;font-size:.9rem}
img,video{max-width:100%;height:auto}
figure{margin:1rem 0}
footer{color:#888;font-size:.8rem;margin-top:2rem}
</style>
</head>
<body>
<header>
<h1 id="subject">${title}</h1>
<p class="meta">From <span id="from">${escapeHtml(from)}</span> · ${escapeHtml(new Date(h.date ?? message.receivedAt).toUTCString())}</p>
</header>
<main id="message">
${body.join('\n')}
</main>
<footer>This link works until ${escapeHtml(new Date(expiresAt).toUTCString())}.</footer>
</body>
</html>
`;
}

export function renderNotice(status: number, title: string, text: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem"><h1>${escapeHtml(title)}</h1><p id="notice" data-status="${status}">${escapeHtml(text)}</p></body></html>
`;
}
