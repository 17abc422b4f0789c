/**
 * An application's m-send-req in the kernel's terms: decoded strictly (ingress refuses what is
 * cut short or malformed), then its headers and parts converted.
 */
import { AddressError, contentType, type Address, type ContentType, type MessageClass, type MmsHeaders, type MmsPart, type Priority } from '@openmmsc/core';
import {
  MmsDecodeError,
  decodePdu,
  partContent,
  type EncodedAddress,
  type MmsBody,
  type WspPart as PduPart,
  type SendReq,
  type TimeValue,
} from '@openmmsc/codec';
import { Refusal } from './refusal.js';

/** The parts of a submission the kernel models, before sender and recipients are settled. */
export interface SubmittedPdu {
  transactionId: string;
  mmsVersion: string | undefined;
  /** From as written; `insert` when the PDU asks the MMSC to fill it in. */
  from: string | 'insert';
  /** To, Cc and Bcc as written (`+1555…/TYPE=PLMN`, `a@b.c`). */
  to: string[];
  cc: string[];
  bcc: string[];
  headers: Omit<MmsHeaders, 'from' | 'to' | 'cc' | 'bcc' | 'contentType'>;
  contentType: ContentType;
  parts: MmsPart[];
}

const CLASSES: readonly string[] = ['personal', 'advertisement', 'informational', 'auto'];
const PRIORITIES: readonly string[] = ['low', 'normal', 'high'];

/** An encoded address back as one string, as `parseAddress` reads it. */
export function addressText(a: EncodedAddress): string {
  return a.type ? `${a.address}/TYPE=${a.type}` : a.address;
}

function time(t: TimeValue | undefined, now: number): Date | undefined {
  if (!t) return undefined;
  return 'absolute' in t ? t.absolute : new Date(now + t.relativeSeconds * 1000);
}

function kernelContentType(ct: ContentType): ContentType {
  return contentType(ct.type, { ...ct.params });
}

function kernelPart(p: PduPart): MmsPart {
  if (p.parts) throw new Refusal('format-corrupt', 'nested multipart entries are not accepted');
  const part: MmsPart = { contentType: kernelContentType(p.contentType), data: partContent(p) };
  const h = p.headers;
  if (h.contentId !== undefined) part.contentId = h.contentId;
  if (h.contentLocation !== undefined) part.contentLocation = h.contentLocation;
  if (h.contentDisposition) {
    const params = Object.entries(h.contentDisposition.params ?? {}).map(([k, v]) => `; ${k}="${v.replace(/(["\\])/g, '\\$1')}"`);
    part.contentDisposition = h.contentDisposition.type + params.join('');
  }
  return part;
}

function bodyParts(body: MmsBody | undefined): { contentType: ContentType; parts: MmsPart[] } {
  if (!body) throw new Refusal('format-corrupt', 'the m-send-req has no body');
  const contentType = kernelContentType(body.contentType);
  if (body.parts) return { contentType, parts: body.parts.map(kernelPart) };
  // A single-part message: the body is the one part.
  return { contentType, parts: [{ contentType, data: body.data }] };
}

/** Decodes an EAIF body; anything but a whole, well-formed m-send-req is refused. */
export function readSendReq(body: Uint8Array, now: number, maxParts: number): SubmittedPdu {
  if (body.byteLength === 0) throw new Refusal('format-corrupt', 'the request has no body; EAIF carries an m-send-req');
  let pdu;
  try {
    pdu = decodePdu(body, { strict: true, maxParts });
  } catch (error) {
    if (error instanceof MmsDecodeError) {
      const code = error.reason === 'limit-exceeded' ? 'content-not-accepted' : 'format-corrupt';
      throw new Refusal(code, `not a well-formed MMS PDU: ${error.message}`);
    }
    throw error;
  }
  // Ingress takes no deviation: what even strict decoding only warns about (a last part cut
  // short, entries missing, octets left over) is refused too.
  const deviation = pdu.warnings?.[0];
  if (deviation) throw new Refusal('format-corrupt', `not a well-formed MMS PDU: ${deviation.message} (at offset ${deviation.offset})`);
  if (pdu.messageType !== 'm-send-req') throw new Refusal('unsupported-message', `an ${pdu.messageType} is not a submission; EAIF carries an m-send-req`);
  return fromSendReq(pdu, now);
}

function fromSendReq(pdu: SendReq, now: number): SubmittedPdu {
  const { contentType, parts } = bodyParts(pdu.body);
  const headers: SubmittedPdu['headers'] = { date: pdu.date ?? new Date(now) };
  if (pdu.subject) headers.subject = pdu.subject.charset ? { text: pdu.subject.text, charset: pdu.subject.charset } : { text: pdu.subject.text };
  if (typeof pdu.messageClass === 'string' && CLASSES.includes(pdu.messageClass.toLowerCase())) headers.messageClass = pdu.messageClass.toLowerCase() as MessageClass;
  if (typeof pdu.priority === 'string' && PRIORITIES.includes(pdu.priority)) headers.priority = pdu.priority as Priority;
  const expiry = time(pdu.expiry, now);
  if (expiry) headers.expiry = expiry;
  const deliveryTime = time(pdu.deliveryTime, now);
  if (deliveryTime && deliveryTime.getTime() > now) headers.deliveryTime = deliveryTime;
  if (pdu.deliveryReport !== undefined) headers.deliveryReport = pdu.deliveryReport;
  if (pdu.readReport !== undefined) headers.readReport = pdu.readReport;
  if (pdu.senderVisibility === 'hide' || pdu.senderVisibility === 'show') headers.senderVisibility = pdu.senderVisibility;
  return {
    transactionId: pdu.transactionId ?? '',
    mmsVersion: pdu.mmsVersion,
    from: !pdu.from || pdu.from.insertAddress ? 'insert' : addressText(pdu.from),
    to: (pdu.to ?? []).map(addressText),
    cc: (pdu.cc ?? []).map(addressText),
    bcc: (pdu.bcc ?? []).map(addressText),
    headers,
    contentType,
    parts,
  };
}

/** Parses an address an application wrote; a bad one is the kernel's `address-unresolved`. */
export function parseOrRefuse(raw: string, parse: (raw: string) => Address, what: string): Address {
  try {
    return parse(raw);
  } catch (error) {
    if (error instanceof AddressError) throw new Refusal('address-unresolved', `${what}: ${error.message}`);
    throw error;
  }
}
