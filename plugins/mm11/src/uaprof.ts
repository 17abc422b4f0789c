import { XMLParser } from 'fast-xml-parser';
import { BoundedMap, type KeyValueStore } from '@openmmsc/core';
import type { AdaptationCapabilities } from './adapt.js';
import { shortHash, type ClassTable } from './capabilities.js';
import { normalizeType } from './media-types.js';

/** What a UAProf (RDF, CC/PP) document says about MMS; absent fields were not in it. */
export interface UaProfile {
  vendor?: string;
  model?: string;
  mmsVersions?: string[];
  maxMessageSize?: number;
  maxImageWidth?: number;
  maxImageHeight?: number;
  accept?: string[];
  charsets?: string[];
  screenWidth?: number;
  screenHeight?: number;
}

export class UaProfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UaProfError';
  }
}

const MAX_DOC = 2 * 1024 * 1024;

type Tree = unknown;

/** Every value under keys named `name`, anywhere in the tree, document order. */
function findAll(tree: Tree, name: string, out: Tree[] = []): Tree[] {
  if (Array.isArray(tree)) {
    for (const t of tree) findAll(t, name, out);
  } else if (tree !== null && typeof tree === 'object') {
    for (const [k, v] of Object.entries(tree as Record<string, Tree>)) {
      if (k === name) {
        if (Array.isArray(v)) out.push(...v);
        else out.push(v);
      } else findAll(v, name, out);
    }
  }
  return out;
}

/** Text of a literal property, or the `rdf:li` items of a Bag/Seq. */
function textOf(v: Tree): string | undefined {
  if (typeof v === 'string' || typeof v === 'number') return String(v).trim();
  if (v && typeof v === 'object' && '#text' in (v as Record<string, Tree>)) return String((v as Record<string, Tree>)['#text']).trim();
  return undefined;
}
function listOf(v: Tree): string[] {
  const items = findAll(v, 'li')
    .map(textOf)
    .filter((s): s is string => !!s);
  if (items.length) return items;
  const t = textOf(v);
  return t ? t.split(/[\s,]+/).filter(Boolean) : [];
}
function first(tree: Tree, name: string): string | undefined {
  for (const v of findAll(tree, name)) {
    const t = textOf(v);
    if (t) return t;
  }
  return undefined;
}
function resolution(s: string | undefined): [number, number] | undefined {
  const m = s ? /^\s*(\d+)\s*[x×*X]\s*(\d+)\s*$/.exec(s) : null;
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/**
 * Parses a UAProf RDF document. DTDs with an internal subset and entity declarations are refused;
 * a bare DOCTYPE line is skipped, never fetched. Property names are matched without namespace
 * (profiles use many `prf:` schema versions).
 */
export function parseUaProf(xml: string): UaProfile {
  if (xml.length > MAX_DOC) throw new UaProfError('UAProf document too large');
  if (/<!ENTITY/i.test(xml) || /<!DOCTYPE[^>]*\[/i.test(xml)) throw new UaProfError('UAProf document declares entities: refused');
  let tree: Tree;
  try {
    tree = new XMLParser({
      ignoreAttributes: true,
      removeNSPrefix: true,
      processEntities: false,
      parseTagValue: false,
      trimValues: true,
    }).parse(xml.replace(/<!DOCTYPE[^>]*>/gi, ''));
  } catch (error) {
    throw new UaProfError(`UAProf is not XML: ${(error as Error).message}`);
  }
  if (findAll(tree, 'RDF').length === 0) throw new UaProfError('not an RDF document');
  const p: UaProfile = {};
  const vendor = first(tree, 'Vendor');
  const model = first(tree, 'Model');
  if (vendor) p.vendor = vendor;
  if (model) p.model = model;
  const size = first(tree, 'MmsMaxMessageSize');
  if (size && /^\d+$/.test(size)) {
    // Some profiles give kilobytes; no MMS handset takes under 4 KB, so small numbers are KB.
    const n = Number(size);
    p.maxMessageSize = n < 4096 ? n * 1024 : n;
  }
  const res = resolution(first(tree, 'MmsMaxImageResolution'));
  if (res) [p.maxImageWidth, p.maxImageHeight] = res;
  const screen = resolution(first(tree, 'ScreenSize'));
  if (screen) [p.screenWidth, p.screenHeight] = screen;
  const accept = findAll(tree, 'MmsCcppAccept').flatMap(listOf);
  if (accept.length) p.accept = [...new Set(accept.map((a) => a.split(';')[0]!.trim().toLowerCase()))];
  const charsets = findAll(tree, 'MmsCcppAcceptCharSet').flatMap(listOf);
  if (charsets.length) p.charsets = [...new Set(charsets.map((c) => c.toLowerCase()))];
  const versions = findAll(tree, 'MmsVersion').flatMap(listOf);
  if (versions.length) p.mmsVersions = versions;
  return p;
}

/** Header values by lower-case name; arrays and `Headers` objects accepted. */
export type RequestHeaders = Record<string, string | readonly string[] | undefined> | { get(name: string): string | null };

function header(headers: RequestHeaders, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  const rec = headers as Record<string, string | readonly string[] | undefined>;
  for (const [k, v] of Object.entries(rec)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v.join(', ') : (v as string | undefined);
  }
  return undefined;
}

/** The profile URL a handset names in `x-wap-profile`, `Profile` or `wap-profile` (first URL; diffs ignored). */
export function profileUrlFrom(headers: RequestHeaders): string | undefined {
  for (const name of ['x-wap-profile', 'profile', 'wap-profile']) {
    const v = header(headers, name);
    if (!v) continue;
    const m = /(https?:\/\/[^\s",]+)/i.exec(v);
    if (m) return m[1];
  }
  return undefined;
}

/** Content types from an Accept header; `undefined` when it says "anything" or nothing useful. */
export function acceptFromHeader(value: string | undefined): string[] | undefined {
  if (!value) return undefined;
  const types: string[] = [];
  for (const item of value.split(',')) {
    const [t, ...params] = item.split(';');
    const type = t!.trim().toLowerCase();
    if (!type.includes('/')) continue;
    if (params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(p))) continue;
    if (type === '*/*') return undefined;
    types.push(normalizeType(type));
  }
  return types.length ? types : undefined;
}

export interface CapabilityResolverOptions {
  classes: ClassTable;
  kv?: KeyValueStore;
  fetch: boolean;
  timeoutMs: number;
  maxBytes: number;
  cacheTtlMs: number;
  failureTtlMs: number;
  snapToClasses: boolean;
  defaultClass: string;
  /** Hosts UAProf may be fetched from (`*.example.com` allowed); empty: any. */
  allowHosts?: readonly string[];
  now?: () => number;
  onWarn?: (message: string, url: string) => void;
}

type CacheEntry = { at: number; profile?: UaProfile; error?: string };

/**
 * Turns a handset's request headers into capabilities: its UAProf (fetched with a timeout, parsed,
 * cached in memory and in the plugin kv), else its Accept header, else the default class.
 */
export class CapabilityResolver {
  readonly #memory = new BoundedMap<string, CacheEntry>(2000);
  readonly #inflight = new Map<string, Promise<UaProfile | undefined>>();
  readonly #now: () => number;
  /** Fetches made (for tests and metrics). */
  fetches = 0;

  constructor(private readonly o: CapabilityResolverOptions) {
    this.#now = o.now ?? Date.now;
  }

  async capabilitiesFromRequest(headers: RequestHeaders): Promise<AdaptationCapabilities> {
    const url = profileUrlFrom(headers);
    const profile = url ? await this.profile(url) : undefined;
    const accept = acceptFromHeader(header(headers, 'accept'));
    const charsetHeader = header(headers, 'accept-charset');
    const charsets = charsetHeader
      ? charsetHeader
          .split(',')
          .map((s) => s.split(';')[0]!.trim().toLowerCase())
          .filter((s) => s && s !== '*')
      : undefined;
    const found: UaProfile = { ...(profile ?? {}) };
    if (!found.accept && accept) found.accept = accept;
    if (!found.charsets && charsets?.length) found.charsets = charsets;
    return this.fromProfile(found);
  }

  /** Capabilities for what a profile tells, named after the class it snaps to (or its own hash). */
  fromProfile(p: UaProfile): AdaptationCapabilities {
    const classes = this.o.classes;
    const fallback = classes.byName(this.o.defaultClass) ?? { class: this.o.defaultClass };
    if (p.maxMessageSize === undefined && !p.accept && p.maxImageWidth === undefined && !p.charsets) return fallback;
    let base = fallback;
    if (p.maxMessageSize !== undefined) {
      const sized = classes.bySize().filter((c) => c.maxMessageSize !== undefined);
      const fit = sized.filter((c) => c.maxMessageSize! <= p.maxMessageSize!).at(-1) ?? sized[0];
      if (fit) base = classes.byName(fit.name)!;
    }
    const caps: AdaptationCapabilities = { ...base };
    if (!this.o.snapToClasses && p.maxMessageSize !== undefined) caps.maxMessageSize = p.maxMessageSize;
    if (p.maxImageWidth && p.maxImageHeight) {
      const bw = base.maxImageWidth ?? Infinity;
      const bh = base.maxImageHeight ?? Infinity;
      // Compare areas orientation-free: the smaller box wins.
      if (p.maxImageWidth * p.maxImageHeight < bw * bh) {
        caps.maxImageWidth = p.maxImageWidth;
        caps.maxImageHeight = p.maxImageHeight;
      }
    }
    if (p.accept) caps.accept = p.accept.map(normalizeType);
    if (p.charsets) caps.charsets = p.charsets;
    const own = { s: caps.maxMessageSize, w: caps.maxImageWidth, h: caps.maxImageHeight, a: caps.accept ? [...caps.accept].sort() : null, c: caps.charsets ?? null };
    const ref = { s: base.maxMessageSize, w: base.maxImageWidth, h: base.maxImageHeight, a: base.accept ? [...base.accept].map(normalizeType).sort() : null, c: base.charsets ?? null };
    const same = JSON.stringify(own) === JSON.stringify(ref);
    caps.class = this.o.snapToClasses ? (same ? base.class : `${base.class}~${shortHash(own)}`) : `ua~${shortHash(own)}`;
    return caps;
  }

  #allowed(url: string): boolean {
    const allow = this.o.allowHosts ?? [];
    if (allow.length === 0) return true;
    let host: string;
    try {
      host = new URL(url).hostname.toLowerCase();
    } catch {
      return false;
    }
    return allow.some((p) => {
      const q = p.toLowerCase();
      return q.startsWith('*.') ? host.endsWith(q.slice(1)) : host === q;
    });
  }

  /** The parsed profile at `url`, from memory, kv, or the network; `undefined` when unavailable. */
  async profile(url: string): Promise<UaProfile | undefined> {
    const now = this.#now();
    const mem = this.#memory.get(url);
    if (mem && now - mem.at < (mem.profile ? this.o.cacheTtlMs : this.o.failureTtlMs)) return mem.profile;
    const running = this.#inflight.get(url);
    if (running) return running;
    const job = this.#load(url).finally(() => this.#inflight.delete(url));
    this.#inflight.set(url, job);
    return job;
  }

  async #load(url: string): Promise<UaProfile | undefined> {
    const key = `uaprof:${shortHash(url)}`;
    const stored = this.o.kv ? await this.o.kv.get<CacheEntry & { url: string }>(key).catch(() => undefined) : undefined;
    const now = this.#now();
    if (stored && stored.url === url && now - stored.at < (stored.profile ? this.o.cacheTtlMs : this.o.failureTtlMs)) {
      this.#memory.set(url, stored);
      return stored.profile;
    }
    let entry: CacheEntry;
    if (!this.o.fetch || !this.#allowed(url)) {
      entry = { at: now, error: 'fetching not allowed' };
    } else {
      try {
        entry = { at: now, profile: parseUaProf(await this.#fetch(url)) };
      } catch (error) {
        entry = { at: now, error: (error as Error).message };
        this.o.onWarn?.(`UAProf unavailable: ${entry.error}`, url);
      }
    }
    this.#memory.set(url, entry);
    if (this.o.kv) {
      const ttl = entry.profile ? this.o.cacheTtlMs : this.o.failureTtlMs;
      await this.o.kv.set(key, { ...entry, url }, ttl).catch(() => undefined);
    }
    return entry.profile;
  }


  async #fetch(url: string): Promise<string> {
    this.fetches++;
    const res = await fetch(url, { signal: AbortSignal.timeout(this.o.timeoutMs), redirect: 'follow', headers: { accept: 'application/rdf+xml, application/xml, text/xml, */*' } });
    if (!res.ok) throw new UaProfError(`HTTP ${res.status}`);
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > this.o.maxBytes) throw new UaProfError(`profile is ${declared} bytes; at most ${this.o.maxBytes} read`);
    const reader = res.body?.getReader();
    if (!reader) return '';
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > this.o.maxBytes) {
        await reader.cancel();
        throw new UaProfError(`profile larger than ${this.o.maxBytes} bytes`);
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}
