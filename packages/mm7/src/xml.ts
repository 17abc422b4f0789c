import { escapeXml } from '@openmmsc/mime';
import type { XmlObject, XmlValue } from './xml-read.js';

export { DEFAULT_XML_LIMITS, parseXmlSafely, XmlSecurityError, XmlSyntaxError, type XmlLimits, type XmlObject, type XmlValue } from './xml-read.js';

/** An element to write: children or text, attributes already namespace-qualified as needed. */
export interface XNode {
  name: string;
  attrs?: Record<string, string>;
  children?: XNode[];
  text?: string;
}

export function el(name: string, content?: string | XNode[] | undefined, attrs?: Record<string, string>): XNode {
  const node: XNode = { name };
  if (attrs) node.attrs = attrs;
  if (typeof content === 'string') node.text = content;
  else if (content) node.children = content;
  return node;
}


/** Writes a node; `prefix` ('' or 'mm7:') is put before every name that has no prefix of its own. */
export function writeNode(node: XNode, prefix: string, out: string[] = []): string[] {
  const name = node.name.includes(':') ? node.name : prefix + node.name;
  out.push('<', name);
  if (node.attrs) for (const [k, v] of Object.entries(node.attrs)) out.push(' ', k, '="', escapeXml(v), '"');
  if (node.children && node.children.length > 0) {
    out.push('>');
    for (const child of node.children) writeNode(child, prefix, out);
    out.push('</', name, '>');
  } else if (node.text !== undefined && node.text !== '') {
    out.push('>', escapeXml(node.text), '</', name, '>');
  } else {
    out.push('/>');
  }
  return out;
}

const ENTITY = /&(?:#(\d{1,7})|#x([0-9A-Fa-f]{1,6})|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Resolves the five predefined entities and character references (nothing else exists here). */
export function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(ENTITY, (_m, dec: string | undefined, hex: string | undefined, named: string | undefined) => {
    if (named) return NAMED[named]!;
    const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex!, 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

// --- reading helpers over the parsed tree ------------------------------------------------------

export function child(node: XmlValue | undefined, name: string): XmlValue | undefined {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
  return node[name];
}

export function obj(node: XmlValue | undefined): XmlObject | undefined {
  if (Array.isArray(node)) return obj(node[0]);
  return node && typeof node === 'object' ? node : undefined;
}

/** Text content of an element given as string or as `{ '#text': … }`. */
export function text(node: XmlValue | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return text(node[0]);
  const t = node['#text'];
  return typeof t === 'string' ? t : t === undefined ? '' : text(t);
}

export function attr(node: XmlValue | undefined, name: string): string | undefined {
  const o = obj(node);
  const v = o?.[`@${name}`];
  return typeof v === 'string' ? v : undefined;
}

export function list(node: XmlValue | undefined): XmlValue[] {
  if (node === undefined) return [];
  return Array.isArray(node) ? node : [node];
}
