/** Content-Type values (RFC 2045, RFC 2231 parameters) and the MMS ↔ MIME multipart names. */
import type { ContentType } from '@openmmsc/core';
import { decodeCharset } from './headers.js';
import { MimeError } from './limits.js';

/** Parses `type/subtype; a=b; c="d"` (RFC 2045, with RFC 2231 `name*=` values). */
export function parseContentType(value: string | undefined, fallback = 'text/plain'): ContentType {
  if (!value) return { type: fallback, params: fallback === 'text/plain' ? { charset: 'us-ascii' } : {} };
  const [typePart, params] = splitParams(value);
  const type = typePart.trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) throw new MimeError(`malformed content type ${JSON.stringify(typePart.slice(0, 60))}`);
  return { type, params };
}

export function splitParams(value: string): [string, Record<string, string>] {
  const params: Record<string, string> = {};
  let i = value.indexOf(';');
  const head = i < 0 ? value : value.slice(0, i);
  const extended: Record<string, string[]> = {};
  while (i >= 0 && i < value.length) {
    i++;
    while (value[i] === ' ' || value[i] === '\t') i++;
    const eq = value.indexOf('=', i);
    if (eq < 0) break;
    const name = value.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    while (value[i] === ' ' || value[i] === '\t') i++;
    let v = '';
    if (value[i] === '"') {
      i++;
      while (i < value.length && value[i] !== '"') {
        if (value[i] === '\\' && i + 1 < value.length) i++;
        v += value[i];
        i++;
      }
      i = value.indexOf(';', i);
    } else {
      const next = value.indexOf(';', i);
      v = (next < 0 ? value.slice(i) : value.slice(i, next)).trim();
      i = next;
    }
    const star = /^([^*]+)\*(\d+)?\*?$/.exec(name);
    if (star) (extended[star[1]!] ??= []).push(v);
    else params[name] = v;
  }
  for (const [name, pieces] of Object.entries(extended)) {
    const joined = pieces.join('');
    const m = /^([^']*)'[^']*'(.*)$/.exec(joined);
    if (m) {
      const bytes = Buffer.from(m[2]!.replace(/%([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      params[name] = decodeCharset(bytes, m[1] || 'utf-8');
    } else params[name] = joined;
  }
  return [head, params];
}

export function formatParams(type: string, params: Record<string, string>): string {
  let out = type;
  for (const [k, v] of Object.entries(params)) {
    const ascii = /^[\x20-\x7e]*$/.test(v);
    if (!ascii) out += `; ${k}*=utf-8''${encodeURIComponent(v)}`;
    else out += /^[A-Za-z0-9!#$&^_.+-]+$/.test(v) ? `; ${k}=${v}` : `; ${k}="${v.replace(/(["\\])/g, '\\$1')}"`;
  }
  return out;
}

/** `application/vnd.wap.multipart.related` → `multipart/related`, and so on. */
export function mimeMultipartType(type: string): string {
  const m = /^application\/vnd\.wap\.multipart\.(mixed|related|alternative)$/.exec(type);
  if (m) return `multipart/${m[1]}`;
  return type;
}

/** `multipart/related` → `application/vnd.wap.multipart.related` (the MMS form). */
export function mmsMultipartType(type: string): string {
  const m = /^multipart\/(mixed|related|alternative)$/.exec(type);
  return m ? `application/vnd.wap.multipart.${m[1]}` : type;
}
