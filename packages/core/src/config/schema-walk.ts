import { z } from 'zod';
import { suggestName } from './nearest-name.js';
import { readScalar, type ScalarKind } from './scalar-coercion.js';

/** A problem the walk found, with its path inside the walked value. */
export interface WalkIssue {
  path: PropertyKey[];
  message: string;
}

export interface WalkResult {
  /** A copy of the input with unknown keys left out and scalar text typed where the schema wants it. */
  value: unknown;
  issues: WalkIssue[];
}

type Def = { readonly type: string } & Readonly<Record<string, unknown>>;
type Node = z.core.$ZodType;

/** Wrappers whose input is their inner schema's input (or `undefined`/`null`, which needs no walk). */
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional', 'success']);
const SCALARS: Readonly<Record<string, ScalarKind>> = { number: 'number', boolean: 'boolean', null: 'null' };
// Guards against lazy schemas that refer to themselves without consuming any input.
const MAX_DEPTH = 256;

/**
 * Walks a zod schema alongside config input, before zod parses it, and does what zod's own
 * parse cannot do for every schema at once:
 *
 * - A key that is not in an object's shape is an issue (with the nearest valid key), unless the
 *   object says it takes extra keys (`.loose()`, `.passthrough()`, `.catchall(…)`); records,
 *   whose keys are data, take any key. Plugins get this without writing `.strict()`.
 * - A string where the schema wants a number, boolean or null (and no string) is typed as a
 *   YAML scalar, so `${env:PORT:-2775}` works in every numeric field.
 *
 * It looks through optional, nullable, default, prefault, readonly, catch, pipe, transform
 * (input side), lazy, union, discriminated union, intersection, array, tuple and record. Whatever
 * it cannot see into (a preprocess, a custom type) is passed on unchanged for zod to judge.
 */
export function walkConfig(schema: Node, input: unknown): WalkResult {
  const issues: WalkIssue[] = [];
  const value = walk(schema, input, [], issues, 0);
  return { value, issues };
}

function defOf(node: Node): Def {
  return node._zod.def as unknown as Def;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function walk(node: Node, value: unknown, path: PropertyKey[], issues: WalkIssue[], depth: number): unknown {
  if (value === undefined || depth > MAX_DEPTH) return value;
  const def = defOf(node);
  const next = depth + 1;
  if (WRAPPERS.has(def.type)) return walk(def.innerType as Node, value, path, issues, next);
  switch (def.type) {
    case 'lazy':
      return walk((def.getter as () => Node)(), value, path, issues, next);
    case 'pipe': {
      const inner = def.in as Node;
      // A preprocess changes the value before the rest of the schema sees it: nothing to compare.
      return defOf(inner).type === 'transform' ? value : walk(inner, value, path, issues, next);
    }
    case 'object':
    case 'intersection':
      return walkObject(node, value, path, issues, next);
    case 'record':
      if (!isPlainObject(value)) return value;
      return mapEntries(value, (key, v) => walk(def.valueType as Node, v, [...path, key], issues, next));
    case 'array':
      return Array.isArray(value) ? value.map((v, i) => walk(def.element as Node, v, [...path, i], issues, next)) : value;
    case 'tuple': {
      if (!Array.isArray(value)) return value;
      const items = def.items as readonly Node[];
      const rest = def.rest as Node | null | undefined;
      return value.map((v, i) => {
        const item = items[i] ?? rest;
        return item ? walk(item, v, [...path, i], issues, next) : v;
      });
    }
    case 'union':
      return walkUnion(node, value, path, issues, next);
    case 'literal': {
      if (typeof value !== 'string') return value;
      const values = def.values as readonly unknown[];
      if (values.includes(value)) return value;
      for (const kind of ['number', 'boolean', 'null'] as const) {
        const typed = readScalar(value, kind);
        if (typed !== undefined && values.includes(typed)) return typed;
      }
      return value;
    }
    default: {
      const kind = SCALARS[def.type];
      if (kind && typeof value === 'string') {
        const typed = readScalar(value, kind);
        return typed === undefined ? value : typed;
      }
      return value;
    }
  }
}

interface ObjectView {
  shape: Map<string, Node>;
  /** Schema of keys not in the shape, when the object takes them. */
  extra: Node | undefined;
}

/** Keys an object (or an intersection of objects) knows; `undefined` when it is not one. */
function objectView(node: Node, depth = 0): ObjectView | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const def = defOf(node);
  if (WRAPPERS.has(def.type)) return objectView(def.innerType as Node, depth + 1);
  if (def.type === 'lazy') return objectView((def.getter as () => Node)(), depth + 1);
  if (def.type === 'object') {
    const catchall = def.catchall as Node | undefined;
    const extra = catchall && defOf(catchall).type !== 'never' ? catchall : undefined;
    return { shape: new Map(Object.entries(def.shape as Record<string, Node>)), extra };
  }
  if (def.type === 'intersection') {
    const left = objectView(def.left as Node, depth + 1);
    const right = objectView(def.right as Node, depth + 1);
    if (!left || !right) return undefined;
    const shape = new Map(left.shape);
    for (const [k, v] of right.shape) if (!shape.has(k)) shape.set(k, v);
    return { shape, extra: left.extra ?? right.extra };
  }
  return undefined;
}

function walkObject(node: Node, value: unknown, path: PropertyKey[], issues: WalkIssue[], depth: number): unknown {
  const view = objectView(node);
  if (!view || !isPlainObject(value)) return value;
  const known = [...view.shape.keys()];
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const field = view.shape.get(key) ?? view.extra;
    if (!field) {
      issues.push({ path: [...path, key], message: `unknown key; ${suggestName(key, known)}` });
      continue;
    }
    Object.defineProperty(out, key, { value: walk(field, v, [...path, key], issues, depth), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function mapEntries(value: Record<string, unknown>, fn: (key: string, v: unknown) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    Object.defineProperty(out, key, { value: fn(key, v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * A union is walked with the option the input is for: by discriminator when there is one, else
 * the only option that can take this kind of value, else the first that parses cleanly.
 */
function walkUnion(node: Node, value: unknown, path: PropertyKey[], issues: WalkIssue[], depth: number): unknown {
  const def = defOf(node);
  let options = def.options as readonly Node[];
  const discriminator = def.discriminator as string | undefined;
  if (discriminator && isPlainObject(value)) {
    const tag = value[discriminator];
    const tagged = options.filter((o) => o._zod.propValues?.[discriminator]?.has(tag as never));
    if (tagged.length > 0) options = tagged;
  }
  const candidates = options.filter((o) => accepts(o, value, 0));
  if (candidates.length === 0) return value;
  if (candidates.length === 1) return walk(candidates[0]!, value, path, issues, depth);
  let fallback: WalkResult | undefined;
  for (const option of candidates) {
    const own: WalkIssue[] = [];
    const walked = walk(option, value, path, own, depth);
    if (!z.safeParse(option, walked).success) continue;
    if (own.length === 0) return walked;
    fallback ??= { value: walked, issues: own };
  }
  if (!fallback) return value;
  issues.push(...fallback.issues);
  return fallback.value;
}

/** Whether `node` could take `value` at all (its kind, after scalar typing), without judging details. */
function accepts(node: Node, value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return true;
  const def = defOf(node);
  const next = depth + 1;
  switch (def.type) {
    case 'optional':
      return value === undefined || accepts(def.innerType as Node, value, next);
    case 'nullable':
      return value === null || accepts(def.innerType as Node, value, next);
    case 'default':
    case 'prefault':
      return value === undefined || accepts(def.innerType as Node, value, next);
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return accepts(def.innerType as Node, value, next);
    case 'lazy':
      return accepts((def.getter as () => Node)(), value, next);
    case 'pipe':
      return accepts(def.in as Node, value, next);
    case 'union':
      return (def.options as readonly Node[]).some((o) => accepts(o, value, next));
    case 'object':
    case 'record':
    case 'intersection':
      return isPlainObject(value);
    case 'array':
    case 'tuple':
      return Array.isArray(value);
    case 'string':
    case 'template_literal':
      return typeof value === 'string';
    case 'enum':
      return Object.values(def.entries as Record<string, unknown>).some((v) => typeof v === typeof value);
    case 'literal':
      return (def.values as readonly unknown[]).some((v) => v === value || (typeof value === 'string' && readAny(value) === v));
    case 'number':
    case 'boolean':
    case 'null':
      return typeof value === 'string' ? readScalar(value, SCALARS[def.type]!) !== undefined : def.type === 'null' ? value === null : typeof value === def.type;
    case 'undefined':
      return value === undefined;
    case 'never':
      return false;
    default:
      return true;
  }
}

function readAny(text: string): unknown {
  for (const kind of ['number', 'boolean', 'null'] as const) {
    const typed = readScalar(text, kind);
    if (typed !== undefined) return typed;
  }
  return undefined;
}
