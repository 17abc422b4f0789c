import { XMLParser } from 'fast-xml-parser';
import type { MmsPart } from '@openmmsc/core';
import { kindOf } from './media-types.js';
import { escapeXml } from '@openmmsc/mime';

/** One media reference on a slide: which part (by index in the part list) and how it was shown. */
export interface SlideItem {
  part: number;
  region?: string;
  attrs: Record<string, string>;
}
export interface Slide {
  dur?: string;
  items: SlideItem[];
}
export interface Region {
  id: string;
  attrs: Record<string, string>;
}
export interface Presentation {
  rootLayout?: Record<string, string>;
  regions: Region[];
  slides: Slide[];
}

const MEDIA_TAGS = new Set(['img', 'text', 'audio', 'video', 'ref', 'animation', 'textstream']);
const KEPT_ITEM_ATTRS = ['begin', 'end', 'dur', 'alt'];

type Node = Record<string, unknown>;

function attrsOf(node: Node): Record<string, string> {
  const a = node[':@'] as Record<string, unknown> | undefined;
  const out: Record<string, string> = {};
  if (a) for (const [k, v] of Object.entries(a)) out[k.replace(/^@_/, '')] = String(v);
  return out;
}
function tagOf(node: Node): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && k !== '#text');
}
function childrenOf(node: Node, tag: string): Node[] {
  const v = node[tag];
  return Array.isArray(v) ? (v as Node[]) : [];
}

const stripId = (s: string): string => s.trim().replace(/^<|>$/g, '');

/** Resolves a SMIL `src` to a part: `cid:` → Content-ID, otherwise Content-Location (also by base name). */
export function findPart(parts: readonly MmsPart[], src: string): number {
  let s = src.trim();
  try {
    s = decodeURIComponent(s);
  } catch {
    /* keep as is */
  }
  if (/^cid:/i.test(s)) {
    const id = stripId(s.slice(4));
    return parts.findIndex((p) => p.contentId !== undefined && stripId(p.contentId) === id);
  }
  let i = parts.findIndex((p) => p.contentLocation === s);
  if (i < 0) {
    const base = s.replace(/^.*[\\/]/, '');
    i = parts.findIndex((p) => p.contentLocation !== undefined && p.contentLocation.replace(/^.*[\\/]/, '') === base);
  }
  if (i < 0) i = parts.findIndex((p) => p.contentId !== undefined && stripId(p.contentId) === s);
  return i;
}

/**
 * Reads an MMS SMIL presentation (slides of media references). A DOCTYPE without an internal
 * subset is skipped, never processed; one with an internal subset (entities) is refused.
 */
export function parseSmil(xml: string, parts: readonly MmsPart[]): Presentation | undefined {
  if (xml.length > 1_000_000) return undefined;
  const doctype = /<!DOCTYPE[^>[]*(\[)?/i.exec(xml);
  if (doctype?.[1] || /<!ENTITY/i.test(xml)) return undefined;
  const body = xml.replace(/<!DOCTYPE[^>]*>/gi, '');
  let tree: Node[];
  try {
    tree = new XMLParser({ preserveOrder: true, ignoreAttributes: false, processEntities: false, removeNSPrefix: true, parseAttributeValue: false }).parse(body) as Node[];
  } catch {
    return undefined;
  }
  const smil = tree.find((n) => tagOf(n) === 'smil');
  if (!smil) return undefined;
  const pres: Presentation = { regions: [], slides: [] };
  const content = childrenOf(smil, 'smil');
  for (const head of content.filter((n) => tagOf(n) === 'head')) {
    for (const layout of childrenOf(head, 'head').filter((n) => tagOf(n) === 'layout')) {
      for (const el of childrenOf(layout, 'layout')) {
        const tag = tagOf(el);
        if (tag === 'root-layout') pres.rootLayout = attrsOf(el);
        if (tag === 'region') {
          const a = attrsOf(el);
          if (a.id) pres.regions.push({ id: a.id, attrs: a });
        }
      }
    }
  }
  const item = (el: Node): SlideItem | undefined => {
    const tag = tagOf(el);
    if (!tag || !MEDIA_TAGS.has(tag)) return undefined;
    const a = attrsOf(el);
    if (!a.src) return undefined;
    const part = findPart(parts, a.src);
    if (part < 0) return undefined;
    const attrs: Record<string, string> = {};
    for (const k of KEPT_ITEM_ATTRS) if (a[k] !== undefined) attrs[k] = a[k];
    return a.region ? { part, region: a.region, attrs } : { part, attrs };
  };
  for (const b of content.filter((n) => tagOf(n) === 'body')) {
    for (const el of childrenOf(b, 'body')) {
      if (tagOf(el) === 'par') {
        const a = attrsOf(el);
        const slide: Slide = a.dur ? { dur: a.dur, items: [] } : { items: [] };
        for (const c of childrenOf(el, 'par')) {
          const it = item(c);
          if (it) slide.items.push(it);
        }
        pres.slides.push(slide);
      } else {
        const it = item(el);
        if (it) pres.slides.push({ items: [it] });
      }
    }
  }
  return pres;
}

/** One slide per media part (text joins the slide before it), for messages whose SMIL we cannot read. */
export function defaultPresentation(parts: readonly MmsPart[]): Presentation {
  const slides: Slide[] = [];
  for (let i = 0; i < parts.length; i++) {
    const kind = kindOf(parts[i]!.contentType.type);
    if (kind === 'smil') continue;
    const last = slides.at(-1);
    if (kind === 'text' && last && !last.items.some((it) => kindOf(parts[it.part]!.contentType.type) === 'text')) last.items.push({ part: i, attrs: {} });
    else slides.push({ dur: '5000ms', items: [{ part: i, attrs: {} }] });
  }
  return { regions: [], slides };
}

const esc = escapeXml;
const attrText = (a: Record<string, string>): string =>
  Object.entries(a)
    .map(([k, v]) => ` ${k}="${esc(v)}"`)
    .join('');

function refFor(part: MmsPart): string {
  if (part.contentLocation) return part.contentLocation;
  if (part.contentId) return `cid:${stripId(part.contentId)}`;
  return '';
}

/**
 * Writes SMIL for `pres` where each slide item's part index points into `parts` (already the
 * adapted list): element names follow each part's new type (a notice that replaced a picture
 * becomes `<text>` in the picture's region), references use the new Content-Location (or cid:).
 */
export function writeSmil(pres: Presentation, parts: readonly MmsPart[]): string {
  const regions = pres.regions.length
    ? pres.regions
    : [
        { id: 'Image', attrs: { id: 'Image', top: '0', left: '0', width: '100%', height: '70%', fit: 'meet' } },
        { id: 'Text', attrs: { id: 'Text', top: '70%', left: '0', width: '100%', height: '30%', fit: 'scroll' } },
      ];
  const has = (id: string): boolean => regions.some((r) => r.id === id);
  const imageRegion = has('Image') ? 'Image' : regions.find((r) => r.id.toLowerCase() !== 'text')?.id;
  const textRegion = has('Text') ? 'Text' : regions.find((r) => r.id.toLowerCase() === 'text')?.id ?? imageRegion;
  const root = pres.rootLayout ?? { width: '100%', height: '100%' };
  let out = '<smil xmlns="http://www.w3.org/2001/SMIL20/Language">\n<head>\n<layout>\n';
  out += `<root-layout${attrText(root)}/>\n`;
  for (const r of regions) out += `<region${attrText(r.attrs)}/>\n`;
  out += '</layout>\n</head>\n<body>\n';
  for (const slide of pres.slides) {
    const items = slide.items.filter((it) => parts[it.part] !== undefined);
    if (items.length === 0) continue;
    out += `<par${slide.dur ? ` dur="${esc(slide.dur)}"` : ''}>\n`;
    for (const it of items) {
      const part = parts[it.part]!;
      const kind = kindOf(part.contentType.type);
      const tag = kind === 'image' ? 'img' : kind === 'text' ? 'text' : kind === 'audio' ? 'audio' : kind === 'video' ? 'video' : 'ref';
      const region = kind === 'audio' ? undefined : it.region ?? (kind === 'text' ? textRegion : imageRegion);
      const a: Record<string, string> = { src: refFor(part) };
      if (region) a.region = region;
      Object.assign(a, it.attrs);
      out += `<${tag}${attrText(a)}/>\n`;
    }
    out += '</par>\n';
  }
  out += '</body>\n</smil>\n';
  return out;
}
