/**
 * MM4 (3GPP TS 23.140 §8.4): the six message types, their X-Mms-* headers and status values,
 * and addresses in `+E164/TYPE=PLMN@domain` form.
 */
import {
  formatAddress,
  type Address,
  type DeliveryStatus,
  type MessageClass,
  type Priority,
  type ReadStatus,
  type ReasonCode,
} from '@openmmsc/core';
import { decodeWords, header, headerAll, type HeaderList } from './mime.js';

/** The interface name of messages that came in over MM4 (`origin.interface`, ReportSender). */
export const MM4_INTERFACE = 'mm4';

export const MM4_TYPES = [
  'MM4_forward.REQ',
  'MM4_forward.RES',
  'MM4_delivery_report.REQ',
  'MM4_delivery_report.RES',
  'MM4_read_reply_report.REQ',
  'MM4_read_reply_report.RES',
] as const;
export type Mm4Type = (typeof MM4_TYPES)[number];

export function mm4Type(value: string | undefined): Mm4Type | undefined {
  if (!value) return undefined;
  const v = value.trim().toLowerCase();
  return MM4_TYPES.find((t) => t.toLowerCase() === v);
}

/** X-Mms-Request-Status-Code values (TS 23.140 §8.4). */
export type RequestStatus =
  | 'Ok'
  | 'Error-unspecified'
  | 'Error-service-denied'
  | 'Error-message-format-corrupt'
  | 'Error-sending-address-unresolved'
  | 'Error-message-not-found'
  | 'Error-network-problem'
  | 'Error-content-not-accepted'
  | 'Error-unsupported-message';

/** The kernel's reason codes as MM4 request status codes. */
export const REQUEST_STATUS_FOR: Record<ReasonCode, RequestStatus> = {
  'service-denied': 'Error-service-denied',
  'format-corrupt': 'Error-message-format-corrupt',
  'sending-address-unresolved': 'Error-sending-address-unresolved',
  'address-unresolved': 'Error-unspecified',
  'message-not-found': 'Error-message-not-found',
  'network-problem': 'Error-network-problem',
  'content-not-accepted': 'Error-content-not-accepted',
  'unsupported-message': 'Error-unsupported-message',
  'size-exceeded': 'Error-content-not-accepted',
  'too-many-recipients': 'Error-service-denied',
  'insufficient-credit': 'Error-service-denied',
  'limit-exceeded': 'Error-service-denied',
  spam: 'Error-content-not-accepted',
  virus: 'Error-content-not-accepted',
  'no-route': 'Error-unspecified',
  'internal-error': 'Error-network-problem',
};

/** A peer's request status as a kernel reason code (for recipients it refused). */
export function reasonForStatus(status: string): ReasonCode {
  switch (status.toLowerCase()) {
    case 'error-service-denied':
      return 'service-denied';
    case 'error-message-format-corrupt':
      return 'format-corrupt';
    case 'error-sending-address-unresolved':
      return 'sending-address-unresolved';
    case 'error-message-not-found':
      return 'message-not-found';
    case 'error-network-problem':
      return 'network-problem';
    case 'error-content-not-accepted':
      return 'content-not-accepted';
    case 'error-unsupported-message':
      return 'unsupported-message';
    default:
      return 'address-unresolved';
  }
}

/** X-Mms-MM-Status-Code values. */
export type MmStatus = 'Expired' | 'Retrieved' | 'Rejected' | 'Deferred' | 'Indeterminate' | 'Forwarded' | 'Unrecognised';

export const MM_STATUS_FOR: Record<DeliveryStatus, MmStatus> = {
  retrieved: 'Retrieved',
  rejected: 'Rejected',
  deferred: 'Deferred',
  expired: 'Expired',
  forwarded: 'Forwarded',
  unreachable: 'Indeterminate',
  indeterminate: 'Indeterminate',
  deleted: 'Rejected',
  unrecognised: 'Unrecognised',
};

export function deliveryStatusFor(mmStatus: string): DeliveryStatus | undefined {
  switch (mmStatus.trim().toLowerCase()) {
    case 'retrieved':
      return 'retrieved';
    case 'rejected':
      return 'rejected';
    case 'deferred':
      return 'deferred';
    case 'expired':
      return 'expired';
    case 'forwarded':
      return 'forwarded';
    case 'indeterminate':
      return 'indeterminate';
    case 'unrecognised':
    case 'unrecognized':
      return 'unrecognised';
    default:
      return undefined;
  }
}

/** X-Mms-Read-Status values. */
export const READ_STATUS_FOR: Record<ReadStatus, string> = { read: 'Read', 'deleted-without-reading': 'Deleted without being read' };

export function readStatusFor(value: string): ReadStatus | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'read') return 'read';
  if (v.startsWith('deleted')) return 'deleted-without-reading';
  return undefined;
}

const CLASS_OUT: Record<MessageClass, string> = { personal: 'Personal', advertisement: 'Advertisement', informational: 'Informational', auto: 'Auto' };
const PRIORITY_OUT: Record<Priority, string> = { low: 'Low', normal: 'Normal', high: 'High' };

export function messageClassOut(c: MessageClass): string {
  return CLASS_OUT[c];
}
export function priorityOut(p: Priority): string {
  return PRIORITY_OUT[p];
}
export function messageClassIn(v: string | undefined): MessageClass | undefined {
  const x = v?.trim().toLowerCase();
  return x === 'personal' || x === 'advertisement' || x === 'informational' || x === 'auto' ? x : undefined;
}
export function priorityIn(v: string | undefined): Priority | undefined {
  const x = v?.trim().toLowerCase();
  return x === 'low' || x === 'normal' || x === 'high' ? x : undefined;
}
export function yesNo(v: string | undefined): boolean | undefined {
  const x = v?.trim().toLowerCase();
  if (x === 'yes') return true;
  if (x === 'no') return false;
  return undefined;
}

// --- addresses ---------------------------------------------------------------------------

/** `+15551234567` at `mms.example` → `+15551234567/TYPE=PLMN@mms.example`; e-mail addresses stay as they are. */
export function mm4Address(address: Address, domain: string): string {
  if (address.type === 'email') return address.value;
  if (address.type === 'shortcode') return `${address.value}/TYPE=PLMN@${domain}`;
  return `${formatAddress(address)}@${domain}`;
}

export interface Mm4AddressParts {
  /** The address the kernel works with (`plmn:+1555…`, or an e-mail address). */
  address: Address;
  /** The domain part, when there was one. */
  domain?: string;
}

/** Strips a display name and angle brackets: `"Bob" <a@b>` → `a@b`. */
export function bareAddress(raw: string): string {
  const s = raw.trim();
  const lt = s.lastIndexOf('<');
  const gt = s.lastIndexOf('>');
  if (lt >= 0 && gt > lt) return s.slice(lt + 1, gt).trim();
  return s.replace(/^"|"$/g, '');
}

/** Reads an MM4 address (`+1555…/TYPE=PLMN@domain`, `+1555…@domain`, `+1555…`, `user@mail`). */
export function parseMm4Address(raw: string, parse: (raw: string) => Address): Mm4AddressParts {
  const bare = bareAddress(decodeWords(raw));
  const at = bare.lastIndexOf('@');
  if (at < 0) return { address: parse(bare) };
  const local = bare.slice(0, at);
  const domain = bare.slice(at + 1).toLowerCase();
  if (/\/TYPE=/i.test(local) || /^\+?\d[\d\-. ]*$/.test(local)) return { address: parse(local), domain };
  return { address: parse(bare), domain };
}

/** Splits an address list header on commas outside quotes and angle brackets. */
export function splitAddressList(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = 0;
  for (const c of value) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') angle++;
    else if (!quoted && c === '>') angle = Math.max(0, angle - 1);
    if (c === ',' && !quoted && angle === 0) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

export function addressHeader(headers: HeaderList, name: string): string[] {
  return headerAll(headers, name).flatMap(splitAddressList);
}

/** X-Mms-Message-ID / X-Mms-Transaction-ID values may come quoted or in angle brackets. */
export function idValue(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const s = v.trim().replace(/^"(.*)"$/, '$1').replace(/^<(.*)>$/, '$1').trim();
  return s || undefined;
}

/** The common MM4 fields of any message. */
export interface Mm4Envelope {
  type: Mm4Type;
  version?: string;
  transactionId?: string;
  messageId?: string;
  originatorSystem?: string;
  ackRequest: boolean;
  requestStatus?: string;
  statusText?: string;
}

export function readEnvelope(headers: HeaderList): Mm4Envelope | undefined {
  const type = mm4Type(header(headers, 'x-mms-message-type'));
  if (!type) return undefined;
  const env: Mm4Envelope = { type, ackRequest: yesNo(header(headers, 'x-mms-ack-request')) ?? false };
  const version = header(headers, 'x-mms-3gpp-mms-version');
  if (version) env.version = version.trim();
  const tid = idValue(header(headers, 'x-mms-transaction-id'));
  if (tid) env.transactionId = tid;
  const mid = idValue(header(headers, 'x-mms-message-id'));
  if (mid) env.messageId = mid;
  const orig = header(headers, 'x-mms-originator-system');
  if (orig) env.originatorSystem = orig.trim();
  const rs = header(headers, 'x-mms-request-status-code');
  if (rs) env.requestStatus = rs.trim();
  const st = header(headers, 'x-mms-status-text');
  if (st) env.statusText = decodeWords(st.trim());
  return env;
}

/**
 * The address an answer (MM4_*.RES) goes to: the X-Mms-Originator-System when it is an address,
 * else Sender, else From. `system=host;party=…` (a form seen in the wild) yields `system-user@host`.
 */
export function answerAddress(headers: HeaderList, env: Mm4Envelope, envelopeFrom: string | undefined): string | undefined {
  const candidates = [env.originatorSystem, header(headers, 'sender'), header(headers, 'from'), envelopeFrom];
  for (const c of candidates) {
    if (!c) continue;
    const sys = /(?:^|;)\s*system=([^;\s]+)/i.exec(c);
    if (sys) return `system-user@${sys[1]!.toLowerCase()}`;
    const bare = bareAddress(c);
    if (bare.includes('@')) return bare;
  }
  return undefined;
}

/** RFC 5322 date. */
export function mailDate(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

/** RFC 5322 date, or a relative number of seconds (`+3600` / `3600`). */
export function parseMailDate(value: string | undefined, now: number): Date | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\+?\d+$/.test(v)) return new Date(now + Number(v.replace('+', '')) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** The answer a request type gets (`MM4_forward.REQ` → `MM4_forward.RES`); none for answers. */
export function answerTypeFor(type: Mm4Type): Mm4Type | undefined {
  return type.endsWith('.REQ') ? (type.replace(/\.REQ$/, '.RES') as Mm4Type) : undefined;
}
