import { escapeXml } from '@openmmsc/mime';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

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

export class XmlSecurityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlSecurityError';
  }
}

export class XmlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

export interface XmlLimits {
  /** Largest document in characters. */
  maxBytes: number;
  /** Deepest element nesting. */
  maxDepth: number;
  /** Most elements in the document. */
  maxElements: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 256 * 1024, maxDepth: 32, maxElements: 20_000 };

/** Elements that may repeat in MM7 and are always read as arrays. */
const REPEATING = new Set(['To', 'Cc', 'Bcc', 'Number', 'ShortCode', 'RFC2822Address', 'DC', 'UserAgent', 'DateTime', 'RecipientStatus']);

const parserCache = new Map<number, XMLParser>();
function parserFor(maxDepth: number): XMLParser {
  let parser = parserCache.get(maxDepth);
  if (!parser) {
    parser = new XMLParser({
      removeNSPrefix: true,
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      processEntities: false,
      htmlEntities: false,
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: true,
      ignoreDeclaration: true,
      ignorePiTags: true,
      maxNestedTags: maxDepth,
      isArray: (name) => REPEATING.has(name),
    });
    parserCache.set(maxDepth, parser);
  }
  return parser;
}

export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [key: string]: XmlValue;
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

function decodeTree(value: unknown): XmlValue {
  if (typeof value === 'string') return decodeEntities(value);
  if (Array.isArray(value)) return value.map(decodeTree);
  if (value && typeof value === 'object') {
    const out: XmlObject = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = decodeTree(v);
    return out;
  }
  return '';
}

/**
 * Parses untrusted XML: refuses DTDs and entity declarations outright (so no external entities
 * and no entity expansion), enforces size, depth and element-count limits, checks
 * well-formedness, then returns a namespace-prefix-free object tree (attributes as `@name`).
 */
export function parseXmlSafely(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlObject {
  if (text.length > limits.maxBytes) throw new XmlSecurityError(`XML document larger than ${limits.maxBytes} bytes`);
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) throw new XmlSecurityError('DTDs and entity declarations are not accepted');
  let elements = 0;
  for (let i = text.indexOf('<'); i >= 0; i = text.indexOf('<', i + 1)) {
    if (++elements > limits.maxElements * 2) throw new XmlSecurityError(`more than ${limits.maxElements} elements`);
  }
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) throw new XmlSyntaxError(`malformed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  let parsed: unknown;
  try {
    parsed = parserFor(limits.maxDepth).parse(text);
  } catch (error) {
    const message = (error as Error).message;
    if (/nest/i.test(message)) throw new XmlSecurityError(`XML nested deeper than ${limits.maxDepth} levels`);
    throw new XmlSyntaxError(`malformed XML: ${message}`);
  }
  const tree = decodeTree(parsed);
  if (typeof tree !== 'object' || Array.isArray(tree)) throw new XmlSyntaxError('XML document has no root element');
  return tree;
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
