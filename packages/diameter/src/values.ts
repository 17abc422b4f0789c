import { isIPv4, isIPv6 } from 'node:net';
import { decodeAvps, encodeAvps, type Avp, type DecodeLimits } from './codec.js';
import { dictionary as builtin, type AvpDefinition, type Dictionary } from './dictionary.js';

/** Seconds between the NTP epoch (1900) used by the Diameter Time type and the Unix epoch. */
const NTP_OFFSET = 2_208_988_800;

/** A value for `makeAvp`: by type, numbers for integers, enum names for Enumerated, AVP arrays for Grouped. */
export type AvpValue = string | number | bigint | boolean | Date | Buffer | Avp[];

/** A decoded AVP value: numbers (bigint beyond 2^53), strings, Dates, Buffers, or child AVPs. */
export type DecodedValue = string | number | bigint | Date | Buffer | Avp[];

function encodeAddress(value: string): Buffer {
  if (isIPv4(value)) {
    const out = Buffer.alloc(6);
    out.writeUInt16BE(1, 0);
    value.split('.').forEach((octet, i) => out.writeUInt8(Number(octet), 2 + i));
    return out;
  }
  if (isIPv6(value)) {
    const full = expandIpv6(value);
    const out = Buffer.alloc(18);
    out.writeUInt16BE(2, 0);
    full.forEach((group, i) => out.writeUInt16BE(group, 2 + i * 2));
    return out;
  }
  throw new TypeError(`not an IP address: ${value}`);
}

function expandIpv6(value: string): number[] {
  const [head = '', tail] = value.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const missing = 8 - h.length - t.length;
  const groups = [...h, ...Array<string>(tail !== undefined ? missing : 0).fill('0'), ...t];
  return groups.map((g) => parseInt(g, 16));
}

function decodeAddress(data: Buffer): string {
  if (data.length < 2) return data.toString('hex');
  const family = data.readUInt16BE(0);
  if (family === 1 && data.length === 6) return [...data.subarray(2)].join('.');
  if (family === 2 && data.length === 18) {
    const groups: string[] = [];
    for (let i = 0; i < 8; i++) groups.push(data.readUInt16BE(2 + i * 2).toString(16));
    return groups.join(':');
  }
  return data.subarray(2).toString('hex');
}

function toNumber(def: AvpDefinition, value: AvpValue): number | bigint {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    if (def.values && value in def.values) return def.values[value]!;
    if (/^-?\d+$/.test(value.trim())) {
      const big = BigInt(value.trim());
      return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big;
    }
  }
  throw new TypeError(`${def.name} (${def.type}) cannot take ${JSON.stringify(value)}`);
}

/** Encodes a value as the data of an AVP of the given definition. */
export function encodeValue(def: AvpDefinition, value: AvpValue): Buffer {
  switch (def.type) {
    case 'OctetString':
      return Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8');
    case 'UTF8String':
    case 'DiameterIdentity':
    case 'DiameterURI':
      return Buffer.from(String(value instanceof Date ? value.toISOString() : value), 'utf8');
    case 'Integer32': {
      const b = Buffer.alloc(4);
      b.writeInt32BE(Number(toNumber(def, value)));
      return b;
    }
    case 'Unsigned32':
    case 'Enumerated': {
      const b = Buffer.alloc(4);
      const n = Number(toNumber(def, value));
      if (def.type === 'Enumerated') b.writeInt32BE(n);
      else b.writeUInt32BE(n >>> 0);
      return b;
    }
    case 'Integer64': {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(BigInt(toNumber(def, value)));
      return b;
    }
    case 'Unsigned64': {
      const b = Buffer.alloc(8);
      b.writeBigUInt64BE(BigInt(toNumber(def, value)));
      return b;
    }
    case 'Time': {
      const ms = value instanceof Date ? value.getTime() : typeof value === 'string' && !/^\d+$/.test(value) ? Date.parse(value) : Number(value) * 1000;
      if (!Number.isFinite(ms)) throw new TypeError(`${def.name} (Time) cannot take ${JSON.stringify(value)}`);
      const b = Buffer.alloc(4);
      b.writeUInt32BE((Math.floor(ms / 1000) + NTP_OFFSET) >>> 0);
      return b;
    }
    case 'Address':
      return encodeAddress(String(value));
    case 'Grouped':
      if (!Array.isArray(value)) throw new TypeError(`${def.name} is Grouped: give it an array of AVPs`);
      return encodeAvps(value);
  }
}

export function decodeValue(def: AvpDefinition, data: Buffer, limits: DecodeLimits = {}): DecodedValue {
  switch (def.type) {
    case 'OctetString':
      return data;
    case 'UTF8String':
    case 'DiameterIdentity':
    case 'DiameterURI':
      return data.toString('utf8');
    case 'Integer32':
    case 'Enumerated':
      if (data.length !== 4) throw new TypeError(`${def.name}: expected 4 bytes, got ${data.length}`);
      return data.readInt32BE(0);
    case 'Unsigned32':
      if (data.length !== 4) throw new TypeError(`${def.name}: expected 4 bytes, got ${data.length}`);
      return data.readUInt32BE(0);
    case 'Integer64':
    case 'Unsigned64': {
      if (data.length !== 8) throw new TypeError(`${def.name}: expected 8 bytes, got ${data.length}`);
      const big = def.type === 'Integer64' ? data.readBigInt64BE(0) : data.readBigUInt64BE(0);
      return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big;
    }
    case 'Time':
      if (data.length !== 4) throw new TypeError(`${def.name}: expected 4 bytes, got ${data.length}`);
      return new Date((data.readUInt32BE(0) - NTP_OFFSET) * 1000);
    case 'Address':
      return decodeAddress(data);
    case 'Grouped':
      return decodeAvps(data, limits);
  }
}

/** Builds an AVP by dictionary name: `makeAvp('Session-Id', 'mmsc;1;2')`. */
export function makeAvp(name: string | AvpDefinition, value: AvpValue, dict: Dictionary = builtin): Avp {
  const def = typeof name === 'string' ? dict.get(name) : name;
  const avp: Avp = { code: def.code, mandatory: def.mandatory, data: encodeValue(def, value) };
  if (def.vendorId !== undefined) avp.vendorId = def.vendorId;
  return avp;
}

function matches(avp: Avp, def: AvpDefinition): boolean {
  return avp.code === def.code && (avp.vendorId ?? 0) === (def.vendorId ?? 0);
}

/** The first AVP named `name` among `avps` (not nested). */
export function findAvp(avps: readonly Avp[], name: string, dict: Dictionary = builtin): Avp | undefined {
  const def = dict.get(name);
  return avps.find((a) => matches(a, def));
}

export function findAllAvps(avps: readonly Avp[], name: string, dict: Dictionary = builtin): Avp[] {
  const def = dict.get(name);
  return avps.filter((a) => matches(a, def));
}

/**
 * The decoded value at a path of names through grouped AVPs, e.g.
 * `getValue(cca.avps, 'Multiple-Services-Credit-Control/Granted-Service-Unit/CC-Service-Specific-Units')`.
 */
export function getValue(avps: readonly Avp[], path: string, dict: Dictionary = builtin): DecodedValue | undefined {
  const names = path.split('/');
  let level: readonly Avp[] = avps;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const def = dict.get(name);
    const found = level.find((a) => matches(a, def));
    if (!found) return undefined;
    const value = decodeValue(def, found.data);
    if (i === names.length - 1) return value;
    if (!Array.isArray(value)) return undefined;
    level = value;
  }
  return undefined;
}

export function getNumber(avps: readonly Avp[], path: string, dict: Dictionary = builtin): number | undefined {
  const v = getValue(avps, path, dict);
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
}

export function getString(avps: readonly Avp[], path: string, dict: Dictionary = builtin): string | undefined {
  const v = getValue(avps, path, dict);
  return typeof v === 'string' ? v : undefined;
}

/** A readable tree of AVPs for logs and tests: `{ 'Session-Id': '…', 'Subscription-Id': { … } }`. */
export type AvpTree = { [name: string]: string | number | AvpTree | Array<string | number | AvpTree> };

export function avpsToObject(avps: readonly Avp[], dict: Dictionary = builtin): AvpTree {
  const out: AvpTree = {};
  for (const avp of avps) {
    const def = dict.byCodeOf(avp.code, avp.vendorId);
    const name = def?.name ?? `${avp.vendorId ? `${avp.vendorId}:` : ''}${avp.code}`;
    let value: string | number | AvpTree;
    if (!def) value = avp.data.toString('hex');
    else {
      const v = decodeValue(def, avp.data);
      value = Array.isArray(v)
        ? avpsToObject(v, dict)
        : v instanceof Date
          ? v.toISOString()
          : Buffer.isBuffer(v)
            ? v.toString('hex')
            : typeof v === 'bigint'
              ? v.toString()
              : v;
    }
    const existing = out[name];
    if (existing === undefined) out[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[name] = [existing, value];
  }
  return out;
}
