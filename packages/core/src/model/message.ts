import type { Address } from './address.js';

import type { ContentType, Part } from '@openmmsc/codec';

// One content model for codec and kernel: the codec owns it (`ContentType`, `Part`), the kernel
// re-exports it. In the kernel's model `type` is lower case (`contentType()` makes it so).
export { contentType, formatContentType, type ContentType, type ContentTypeParams, type Part } from '@openmmsc/codec';

/** Text that carries its character set (MMS encoded-string-value). */
export interface EncodedText {
  text: string;
  charset?: string;
}

/** A body part in the kernel's model: a `Part` with its MIME headers as plain fields. */
export interface MmsPart extends Part {
  contentId?: string;
  contentLocation?: string;
  contentDisposition?: string;
  /** Further part headers as received, for interfaces that pass them through. */
  headers?: Record<string, string>;
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
