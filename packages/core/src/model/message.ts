import type { Address } from './address.js';

/** A MIME/WSP content type with its parameters; `type` is lower-case. */
export interface ContentType {
  type: string;
  params: Record<string, string>;
}

/** Text that carries its character set (MMS encoded-string-value). */
export interface EncodedText {
  text: string;
  charset?: string;
}

export interface MmsPart {
  contentType: ContentType;
  contentId?: string;
  contentLocation?: string;
  contentDisposition?: string;
  /** Further part headers as received, for interfaces that pass them through. */
  headers?: Record<string, string>;
  data: Uint8Array;
}

export type MessageClass = 'personal' | 'advertisement' | 'informational' | 'auto';
export type Priority = 'low' | 'normal' | 'high';
export type RecipientKind = 'to' | 'cc' | 'bcc';

export interface MmsHeaders {
  /** Assigned by the kernel on receipt when the ingress did not set one. */
  messageId?: string;
  transactionId?: string;
  from: Address;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  subject?: EncodedText;
  date?: Date;
  /** Absolute expiry; relative expiries are resolved by the ingress. */
  expiry?: Date;
  /** Earliest delivery time. */
  deliveryTime?: Date;
  messageClass?: MessageClass;
  priority?: Priority;
  deliveryReport?: boolean;
  readReport?: boolean;
  senderVisibility?: 'hide' | 'show';
  contentType: ContentType;
  /** Headers the kernel does not model, kept for interfaces that pass them through. */
  extra?: Record<string, string>;
}

/** Where a message came in: the interface plugin and what it knows about the submitter. */
export interface Origin {
  /** Interface name: `mm1`, `mm3`, `mm4`, `mm7`, `api`, … Reports are routed back to it. */
  interface: string;
  /** Remote peer (IP, peer MMSC domain, VASP id). */
  peer?: string;
  /** Interface-specific data needed to answer later (e.g. VASP id, MM4 originator system). */
  attributes?: Record<string, string | number | boolean>;
}

export interface MmsMessage {
  headers: MmsHeaders;
  parts: MmsPart[];
}

export function messageSize(message: MmsMessage): number {
  let size = 0;
  for (const part of message.parts) size += part.data.byteLength;
  return size;
}

export function contentType(type: string, params: Record<string, string> = {}): ContentType {
  return { type: type.toLowerCase(), params };
}

/** Renders a content type in MIME form: `multipart/related; type="application/smil"`. */
export function formatContentType(ct: ContentType): string {
  let out = ct.type;
  for (const [k, v] of Object.entries(ct.params)) {
    out += /^[A-Za-z0-9!#$&^_.+-]+$/.test(v) ? `; ${k}=${v}` : `; ${k}="${v.replace(/(["\\])/g, '\\$1')}"`;
  }
  return out;
}
