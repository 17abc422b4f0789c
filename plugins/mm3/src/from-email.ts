import type { MmsPart } from '@openmmsc/core';
import { bareId } from '@openmmsc/mime';
import type { Attachment, ParsedMail } from 'mailparser';
import type { Mm3Options } from './options.js';

const EXECUTABLE_TYPES = new Set([
  'application/x-msdownload', 'application/x-msdos-program', 'application/x-dosexec', 'application/x-executable', 'application/x-elf',
  'application/x-sh', 'application/x-shellscript', 'application/x-bat', 'application/x-msi', 'application/java-archive',
  'application/x-java-archive', 'application/vnd.android.package-archive', 'application/x-mach-binary', 'application/hta',
  'application/javascript', 'text/javascript', 'application/x-javascript', 'application/vbscript', 'text/vbscript',
]);

/** Why an attachment counts as executable, or undefined. */
export function executableReason(a: { filename?: string | undefined; contentType: string; content: Buffer }, blockedExtensions: readonly string[]): string | undefined {
  const name = (a.filename ?? '').toLowerCase();
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
  if (ext && blockedExtensions.includes(ext)) return `file type .${ext}`;
  if (EXECUTABLE_TYPES.has(a.contentType.toLowerCase())) return `content type ${a.contentType}`;
  const b = a.content;
  if (b.length >= 2 && b[0] === 0x4d && b[1] === 0x5a) return 'a Windows program (MZ)';
  if (b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46) return 'an ELF program';
  if (b.length >= 4 && ((b[0] === 0xfe && b[1] === 0xed && b[2] === 0xfa) || (b[0] === 0xcf && b[1] === 0xfa && b[2] === 0xed && b[3] === 0xfe))) return 'a Mach-O program';
  if (b.length >= 2 && b[0] === 0x23 && b[1] === 0x21) return 'a script (#!)';
  return undefined;
}

export interface Converted {
  parts: MmsPart[];
  /** Attachments left out, with why. */
  removed: Array<{ name: string; reason: string }>;
  /** Set when the policy is to refuse the whole mail. */
  refuse?: string;
}

function safeName(a: Attachment, n: number): string {
  const base = (a.filename ?? `attachment${n}`).replace(/[\\/\x00-\x1f]/g, '_').slice(0, 100);
  return base || `attachment${n}`;
}

/** The MMS parts of a parsed mail: its text (UTF-8), then images and other attachments in order. */
export function emailToParts(mail: ParsedMail, options: Pick<Mm3Options, 'inbound'>): Converted {
  const o = options.inbound;
  const parts: MmsPart[] = [];
  const removed: Converted['removed'] = [];
  const notes: string[] = [];
  let n = 0;
  for (const a of mail.attachments) {
    n += 1;
    const name = safeName(a, n);
    const why = executableReason({ filename: a.filename, contentType: a.contentType, content: a.content }, o.blockedExtensions);
    if (why) {
      if (o.executables === 'refuse') return { parts: [], removed: [{ name, reason: why }], refuse: `attachment ${name} is ${why}` };
      removed.push({ name, reason: why });
      notes.push(`[attachment ${name} removed: ${why}]`);
      continue;
    }
    if (parts.length + 1 >= o.maxParts) {
      removed.push({ name, reason: 'too many parts' });
      notes.push(`[attachment ${name} removed: too many parts]`);
      continue;
    }
    const ct = (a.contentType || 'application/octet-stream').toLowerCase();
    const part: MmsPart = { contentType: { type: ct, params: {} }, contentLocation: name, data: a.content };
    const charset = (a as Attachment & { contentType: string }).headers?.get('content-type');
    if (ct.startsWith('text/') && typeof charset === 'object' && charset && 'params' in charset) {
      const cs = (charset as { params: Record<string, string> }).params.charset;
      if (cs) part.contentType.params.charset = cs.toLowerCase();
    }
    // The kernel keeps Content-IDs bare; each egress writes them as its wire wants (`<id>`).
    if (a.cid) part.contentId = bareId(a.cid);
    parts.push(part);
  }
  let text = typeof mail.text === 'string' ? mail.text.replace(/\s+$/, '') : '';
  if (notes.length) text = `${text}${text ? '\n\n' : ''}${notes.join('\n')}`;
  const textParts: MmsPart[] = [];
  if (text) textParts.push({ contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, contentLocation: 'text.txt', contentId: 'text', data: Buffer.from(text, 'utf8') });
  if (o.html === 'attach' && typeof mail.html === 'string' && mail.html) {
    textParts.push({ contentType: { type: 'text/html', params: { charset: 'utf-8' } }, contentLocation: 'message.html', data: Buffer.from(mail.html, 'utf8') });
  }
  return { parts: [...textParts, ...parts], removed };
}
