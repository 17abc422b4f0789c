/**
 * fast-check generators of MMS PDU models: every header field by its kind (from the codec's field
 * table), bodies with nested multiparts, parameters and headers with awkward names and values
 * (non-tokens, quotes, control characters, non-ASCII, every charset), unknown headers.
 */
import fc from 'fast-check';
import { CHARSETS, MESSAGE_TYPE, WELL_KNOWN_CONTENT_TYPES, type MessageType, type WspPart, type MmsPdu } from '../src/index.js';
import { FIELDS_BY_KEY, INDEXED_DELETE, MANDATORY, MULTI_CONTENT_LOCATION, MULTI_MM_STATE, type FieldDef } from '../src/mms/fields.js';

const noNul = (s: string): boolean => !s.includes('\0');

/** Text that is awkward on the wire: quotes, control characters, DEL, non-ASCII, near-miss names. */
export const text = fc
  .oneof(
    fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.string({ unit: 'binary-ascii', maxLength: 8 }),
    fc.constantFrom('"quoted', '<cid>', ' lead', 'Image/JPEG', 'UTF-8', 'utf8', '007', '0.50', '1.05', 'wsp-param-0x1f', '\x7fdel', 'Café', '日本語'),
  )
  .filter(noNul);

const nonEmpty = text.filter((s) => s.length > 0);
const charset = fc.constantFrom(...CHARSETS.values(), 'mib-5000', 'UTF-8');
const encoded = fc.record({ text, charset }, { requiredKeys: ['text'] });
const date = fc.integer({ min: 0, max: 2 ** 33 }).map((s) => new Date(s * 1000));
const rawOctet = fc.integer({ min: 0x80, max: 0xff });
const addressType = fc.constantFrom('PLMN', 'IPv4', 'IPv6', 'EMAIL');
const address = fc.record({ address: text, type: addressType, charset }, { requiredKeys: ['address'] });

const mediaType = fc.oneof(
  fc.constantFrom(...WELL_KNOWN_CONTENT_TYPES.filter((x): x is string => !!x && !x.startsWith('multipart') && !x.includes('multipart'))),
  nonEmpty,
);
const params = fc.dictionary(
  fc.oneof(fc.constantFrom('charset', 'name', 'filename', 'start', 'type', 'q', 'level', 'padding', 'size', 'max-age', 'secure', 'differences', 'creation-date', 'mac'), nonEmpty),
  fc.oneof(text, fc.constantFrom('utf-8', 'us-ascii', 'image/jpeg', '0.5', '1.2', '5', '300', 'Accept')),
  { maxKeys: 3 },
);
const contentType = fc.record({ type: mediaType, params });

const partHeaders = fc.record(
  {
    contentId: text,
    contentLocation: text,
    contentDisposition: fc.record({ type: fc.oneof(fc.constantFrom('attachment', 'inline', 'form-data'), text), params }, { requiredKeys: ['type'] }),
    contentTransferEncoding: text,
    other: fc.array(fc.record({ name: nonEmpty, value: text }), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

const leaf = fc.record({ contentType, headers: partHeaders, data: fc.uint8Array({ maxLength: 40 }) });
const multipartType = fc.constantFrom('application/vnd.wap.multipart.mixed', 'application/vnd.wap.multipart.related', 'application/vnd.wap.multipart.alternative');
const part: fc.Arbitrary<WspPart> = fc.oneof(
  { weight: 4, arbitrary: leaf },
  {
    weight: 1,
    arbitrary: fc.record({
      contentType: fc.record({ type: multipartType, params }),
      headers: partHeaders,
      data: fc.constant(new Uint8Array(0)),
      parts: fc.array(leaf, { minLength: 1, maxLength: 3 }),
    }),
  },
);
const body = fc.oneof(
  fc.record({ contentType: fc.record({ type: multipartType, params }), parts: fc.array(part, { maxLength: 4 }) }),
  fc.record({ contentType, data: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
);

/** A raw header value in one of the WSP value forms: Short-integer, Text-string, or Short-length + octets. */
const rawValue = fc.oneof(
  rawOctet.map((b) => Buffer.from([b])),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }).map((s) => Buffer.from(`${s}\0`)),
  fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.concat([Buffer.from([b.length]), b])),
);
const unknownHeader = fc.oneof(
  fc.record({ name: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 10 }), value: text }),
  // codes the MMS field table leaves unassigned
  fc.record({ code: fc.integer({ min: 0x40, max: 0x7f }), raw: rawValue }),
);

function byKind(def: FieldDef): fc.Arbitrary<unknown> {
  const names = Object.keys(def.values ?? {});
  const coded = names.length > 0 ? fc.oneof(fc.constantFrom(...names), rawOctet) : rawOctet;
  switch (def.kind) {
    case 'text':
      return text;
    case 'encoded':
      return encoded;
    case 'address':
      return fc.array(address, { minLength: 1, maxLength: 3 });
    case 'from':
      return fc.oneof(fc.constant({ address: '', insertAddress: true }), address);
    case 'date':
      return date;
    case 'time':
      return fc.oneof(date.map((absolute) => ({ absolute })), fc.maxSafeNat().map((relativeSeconds) => ({ relativeSeconds })));
    case 'long':
    case 'int':
      return fc.oneof(fc.nat(200), fc.maxSafeNat());
    case 'bool':
      return fc.boolean();
    case 'enum':
      return coded;
    case 'class':
      return fc.oneof(coded, nonEmpty);
    case 'version':
      return fc.constantFrom('1.0', '1.1', '1.2', '1.3', '1', '2.15');
    case 'prevBy':
      return fc.array(fc.record({ forwardedCount: fc.nat(1000), address }), { minLength: 1, maxLength: 2 });
    case 'prevDate':
      return fc.array(fc.record({ forwardedCount: fc.nat(1000), date }), { minLength: 1, maxLength: 2 });
    case 'flags':
      return fc.array(fc.record({ action: fc.constantFrom('add', 'remove', 'filter'), keyword: encoded }), { minLength: 1, maxLength: 2 });
    case 'attr':
      return fc.array(fc.oneof(fc.constantFrom('to', 'subject', 'date', 'messageSize'), rawOctet), { minLength: 1, maxLength: 3 });
    case 'counts':
      return fc.record({ messages: fc.maxSafeNat(), bytes: fc.maxSafeNat() }, { requiredKeys: [] });
    case 'element':
      return fc.record({ contentReference: text, params: fc.dictionary(fc.oneof(fc.constant('type'), nonEmpty), text, { maxKeys: 2 }) }, { requiredKeys: ['contentReference'] });
    default:
      return fc.constant(undefined);
  }
}

const FIELD_KEYS = [...FIELDS_BY_KEY.values()].filter((d) => d.kind !== 'raw' && d.kind !== 'type').map((d) => d.key);

const deleteResult = fc.record(
  { index: fc.nat(300), contentLocation: text, responseStatus: fc.oneof(fc.constantFrom('ok', 'error-unspecified'), rawOctet), responseText: encoded },
  { requiredKeys: ['index'] },
);

/** A PDU model of any of the 24 types: its mandatory fields, a few optional ones, maybe unknown headers. */
export const pduModel: fc.Arbitrary<MmsPdu> = fc
  .tuple(fc.constantFrom(...(Object.keys(MESSAGE_TYPE) as MessageType[])), fc.subarray(FIELD_KEYS, { maxLength: 8 }))
  .chain(([type, optional]) => {
    const keys = new Set<string>([...MANDATORY[type].filter((k) => k !== 'body' && k !== 'contentLocations'), ...optional]);
    const shape: Record<string, fc.Arbitrary<unknown>> = {};
    for (const k of keys) {
      if (k === 'contentLocation' && MULTI_CONTENT_LOCATION.has(type)) shape.contentLocations = fc.array(text, { minLength: 1, maxLength: 3 });
      else if (k === 'mmState' && MULTI_MM_STATE.has(type)) shape.mmStates = fc.array(byKind(FIELDS_BY_KEY.get(k)!), { minLength: 1, maxLength: 2 });
      else shape[k] = byKind(FIELDS_BY_KEY.get(k)!);
    }
    if (MANDATORY[type].includes('contentLocations')) shape.contentLocations = fc.array(text, { minLength: 1, maxLength: 3 });
    if (INDEXED_DELETE.has(type)) shape.deleteResults = fc.array(deleteResult, { maxLength: 3 });
    const required = Object.keys(shape).filter((k) => k !== 'deleteResults');
    const withBody = MANDATORY[type].includes('body');
    return fc.record(
      { messageType: fc.constant(type), ...shape, body, unknownHeaders: fc.array(unknownHeader, { minLength: 1, maxLength: 3 }) },
      { requiredKeys: ['messageType', ...required, ...(withBody ? ['body'] : [])] as never[] },
    ) as unknown as fc.Arbitrary<MmsPdu>;
  });

/**
 * Up to 8 octet edits (set, insert, delete) of one of the seeds; with `cut`, sometimes cut short
 * at a random length as well.
 */
export function mutated(seeds: readonly Buffer[], cut = false): fc.Arbitrary<Buffer> {
  return fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), { minLength: 1, maxLength: 8 }),
      cut ? fc.option(fc.nat(), { nil: undefined }) : fc.constant(undefined),
    )
    .map(([seed, edits, at]) => {
      const b = Array.from(seed);
      for (const [pos, v, kind] of edits) {
        const i = pos % (b.length + 1);
        if (kind === 'set' && i < b.length) b[i] = v;
        else if (kind === 'insert') b.splice(i, 0, v);
        else if (kind === 'delete' && i < b.length) b.splice(i, 1);
      }
      const out = Buffer.from(b);
      return at === undefined ? out : out.subarray(0, at % (out.length + 1));
    });
}
