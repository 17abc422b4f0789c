/**
 * Reading untrusted XML in one pass: a strict XML 1.0 parser (saxes) checks well-formedness while
 * the tree is built, so a document is never read twice (once to validate, once to parse).
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';

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

export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [key: string]: XmlValue;
}

/** Elements that may repeat in MM7 and are always read as arrays. */
const REPEATING = new Set(['To', 'Cc', 'Bcc', 'Number', 'ShortCode', 'RFC2822Address', 'DC', 'UserAgent', 'DateTime', 'RecipientStatus']);

/** An element being read: its attributes and children so far, and its text. */
interface Open {
  name: string;
  node: XmlObject;
  text: string;
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/** `@name` entries for the attributes, namespace declarations left out, prefixes dropped. */
function attributesOf(tag: SaxesTagPlain): XmlObject {
  const node: XmlObject = {};
  for (const name in tag.attributes) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    node[`@${localName(name)}`] = tag.attributes[name]!;
  }
  return node;
}

/**
 * An element's value in the tree: its text alone when it has neither attributes nor children
 * (text trimmed, entities and character references resolved), else an object with `@attributes`,
 * children by local name (arrays when repeated or in `REPEATING`) and `#text`.
 */
function close(open: Open, parent: Open): void {
  const text = open.text.trim();
  let value: XmlValue = open.node;
  let hasKeys = false;
  for (const _ in open.node) {
    hasKeys = true;
    break;
  }
  if (!hasKeys) value = text;
  else if (text) open.node['#text'] = text;
  const previous = parent.node[open.name];
  if (previous === undefined) parent.node[open.name] = REPEATING.has(open.name) ? [value] : value;
  else if (Array.isArray(previous)) previous.push(value);
  else parent.node[open.name] = [previous, value];
}

/**
 * Parses untrusted XML: refuses DTDs and entity declarations outright (so no external entities
 * and no entity expansion beyond the five predefined ones and character references), enforces
 * size, depth and element-count limits, refuses anything not well-formed (`XmlSyntaxError`), and
 * returns a namespace-prefix-free object tree (attributes as `@name`).
 */
export function parseXmlSafely(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlObject {
  if (text.length > limits.maxBytes) throw new XmlSecurityError(`XML document larger than ${limits.maxBytes} bytes`);
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) throw new XmlSecurityError('DTDs and entity declarations are not accepted');
  const document: Open = { name: '', node: {}, text: '' };
  const stack: Open[] = [document];
  let elements = 0;
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => {
    if (++elements > limits.maxElements) throw new XmlSecurityError(`more than ${limits.maxElements} elements`);
    if (stack.length > limits.maxDepth) throw new XmlSecurityError(`XML nested deeper than ${limits.maxDepth} levels`);
    stack.push({ name: localName(tag.name), node: attributesOf(tag), text: '' });
  });
  const addText = (t: string) => {
    stack[stack.length - 1]!.text += t;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    const open = stack.pop()!;
    close(open, stack[stack.length - 1]!);
  });
  try {
    parser.write(text).close();
  } catch (error) {
    if (error instanceof XmlSecurityError) throw error;
    throw new XmlSyntaxError(`malformed XML: ${(error as Error).message}`);
  }
  return document.node;
}
