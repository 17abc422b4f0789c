import { decodeBody, Mm7DecodeError, str } from './decode.js';
import type { Mm7Body, SoapFault } from './model.js';
import { KNOWN_VERSIONS, LATEST_RELEASE, RELEASES, SOAP12_ENV_NS, SOAP_ENV_NS, releaseOfNamespace, type Release } from './releases.js';
import type { WarningSink } from './warnings.js';
import { DEFAULT_XML_LIMITS, obj, parseXmlSafely, text, XmlSecurityError, type XmlLimits, type XmlObject } from './xml.js';

export interface ParsedEnvelope {
  release: Release;
  /** MM7Version as sent. */
  version?: string;
  transactionId?: string;
  /** Local name of the body element (`SubmitReq`, `Fault`, …). */
  bodyType: string;
  body?: Mm7Body;
  fault?: SoapFault;
}

const NS_DECL = /xmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*["']([^"']*)["']/g;

/** Finds the MM7 release from the namespace declarations (the body element's, when several). */
export function detectRelease(xml: string, bodyType?: string): Release | undefined {
  const found = new Map<string, Release>();
  let fallback: Release | undefined;
  for (const m of xml.matchAll(NS_DECL)) {
    const r = releaseOfNamespace(m[2]!);
    if (!r) continue;
    found.set(m[1] ?? '', r);
    fallback ??= r;
  }
  if (found.size <= 1 || !bodyType) return fallback;
  const tag = new RegExp(`<(?:([A-Za-z_][\\w.-]*):)?${bodyType}[\\s/>]`).exec(xml);
  return (tag && found.get(tag[1] ?? '')) ?? fallback;
}

function firstElement(node: XmlObject): [string, XmlObject] | undefined {
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('@') || k === '#text') continue;
    const o = obj(v);
    return [k, o ?? {}];
  }
  return undefined;
}

/** Runs `read`; a decode failure leaves with what the envelope told us so far. */
function withContext<T>(context: { transactionId?: string | undefined; release?: Release | undefined; version?: string | undefined }, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof Mm7DecodeError) {
      if (context.transactionId && error.transactionId === undefined) error.transactionId = context.transactionId;
      if (context.release && error.release === undefined) error.release = context.release;
      if (context.version && error.version === undefined) error.version = context.version;
    }
    throw error;
  }
}

/** Parses and decodes a SOAP envelope carrying one MM7 message (or a fault). */
export function decodeEnvelope(input: string, limits: XmlLimits = DEFAULT_XML_LIMITS, accept?: ReadonlySet<string>, warn?: WarningSink): ParsedEnvelope {
  let xml = input;
  if (input.charCodeAt(0) === 0xfeff) {
    xml = input.slice(1);
    warn?.('byte-order-mark', 'the SOAP envelope starts with a byte-order mark');
  }
  let tree: XmlObject;
  try {
    tree = parseXmlSafely(xml, limits);
  } catch (error) {
    const e = error as Error;
    throw new Mm7DecodeError(2007, e instanceof XmlSecurityError ? `refused: ${e.message}` : e.message);
  }
  const envelope = obj(tree.Envelope);
  if (!envelope) throw new Mm7DecodeError(2007, 'not a SOAP envelope');
  const header = obj(envelope.Header);
  const context: { transactionId?: string | undefined; release?: Release | undefined; version?: string | undefined } = { transactionId: header ? text(header.TransactionID)?.trim() : undefined };
  return withContext(context, () => {
    if (xml.includes(SOAP12_ENV_NS) && !xml.includes(SOAP_ENV_NS)) {
      throw new Mm7DecodeError(2007, 'SOAP 1.2 is not used by MM7; send a SOAP 1.1 envelope', 'VersionMismatch');
    }
    const body = obj(envelope.Body);
    if (!body) throw new Mm7DecodeError(2007, 'SOAP envelope without a Body');
    const first = firstElement(body);
    if (!first) throw new Mm7DecodeError(2007, 'empty SOAP Body');
    const [bodyType, node] = first;
    const { transactionId } = context;

    if (bodyType === 'Fault') {
      const detail = obj(node.detail);
      const inner = detail && firstElement(detail);
      const release = detectRelease(xml, inner?.[0]);
      const fault: SoapFault = { faultcode: (str(node, 'faultcode') ?? '').replace(/^.*:/, ''), faultstring: str(node, 'faultstring') ?? '' };
      if (inner && release) {
        const decoded = decodeBody(inner[0], inner[1]);
        if ('status' in decoded && (decoded.type === 'RSErrorRsp' || decoded.type === 'VASPErrorRsp')) fault.detail = decoded;
      }
      const out: ParsedEnvelope = { release: release ?? RELEASES[LATEST_RELEASE], bodyType, fault };
      if (transactionId) out.transactionId = transactionId;
      const version = inner ? str(inner[1], 'MM7Version') : undefined;
      if (version) out.version = version;
      return out;
    }

    context.release = detectRelease(xml, bodyType);
    if (accept && !accept.has(bodyType)) throw new Mm7DecodeError(4003, `${bodyType} is not accepted here`);
    const release = context.release;
    if (!release) throw new Mm7DecodeError(4002, `no known MM7 namespace on ${bodyType} (REL-5-MM7-1-0 … REL-6-MM7-1-4 are supported)`);
    const version = str(node, 'MM7Version');
    if (!version) throw new Mm7DecodeError(4004, `${bodyType}: MM7Version is required`);
    if (!KNOWN_VERSIONS.has(version)) throw new Mm7DecodeError(4002, `MM7Version ${version} is not supported`);
    context.version = version;
    const decoded = decodeBody(bodyType, node);
    const out: ParsedEnvelope = { release, version, bodyType, body: decoded };
    if (transactionId) out.transactionId = transactionId;
    return out;
  });
}
