import { createHash } from 'node:crypto';
import type { MessageClass } from '../model/message.js';
import type { RecipientState } from '../model/recipient-state.js';
import { formatAddress } from '../model/address.js';
import type { ChargingEvent, ChargingEventType } from './charging-backend.js';

/**
 * The TS 32.298 words every CDR writer uses, so that two charging backends write the same record
 * type and the same id for the same event (an operator swapping MM8 for another backend keeps
 * its billing system's duplicate detection working).
 */

/**
 * TS 32.298 MMS record types (the `MMSRecordType` CHOICE, contents in TS 32.270) with their
 * `RecordType` values. `O` records are written by the originator's MMS Relay/Server, `R` records
 * by the recipient's; `MM7*` towards a VASP.
 */
export const CDR_RECORD_TYPES = {
  MMO1S: 30,
  MMO4FRq: 31,
  MMO4FRs: 32,
  MMO4D: 33,
  MMO1D: 34,
  MMO4R: 35,
  MMO1R: 36,
  MMOMD: 37,
  MMR4F: 38,
  MMR1NRq: 39,
  MMR1NRs: 40,
  MMR1Rt: 41,
  MMR1A: 42,
  MMR4DRq: 43,
  MMR4DRs: 44,
  MMR1RR: 45,
  MMR4RRq: 46,
  MMR4RRs: 47,
  MMRMD: 48,
  MMF: 49,
  MMBx1S: 50,
  MMBx1V: 51,
  MMBx1U: 52,
  MMBx1D: 53,
  MM7S: 54,
  MM7DRq: 55,
  MM7DRs: 56,
  MM7C: 57,
  MM7R: 58,
  MM7DRRq: 59,
  MM7DRRs: 60,
  MM7RRq: 61,
  MM7RRs: 62,
} as const;

export type CdrRecordType = keyof typeof CDR_RECORD_TYPES;

/** TS 32.298 `MMStatusCodeType`. */
export type CdrMmStatusCode = 'retrieved' | 'forwarded' | 'expired' | 'rejected' | 'deferred' | 'unrecognised' | 'read' | 'deletedWithoutBeingRead';

/** TS 32.298 `MessageClass`. */
export type CdrMessageClass = 'personal' | 'advertisement' | 'information-service' | 'auto';

// TS 32.298 has no MM3 records: an e-mail system is another server, so MM3 takes the MM4 records.
const SUBMISSION: Record<string, CdrRecordType> = { mm1: 'MMO1S', api: 'MMO1S', mm7: 'MM7S', mm4: 'MMR4F', mm3: 'MMR4F' };
const DELIVERY_REPORT: Record<string, CdrRecordType> = { mm1: 'MMO1D', mm7: 'MM7DRRq', mm4: 'MMR4DRq', mm3: 'MMR4DRq' };
const READ_REPORT: Record<string, CdrRecordType> = { mm1: 'MMO1R', mm7: 'MM7RRq', mm4: 'MMR4RRq', mm3: 'MMR4RRq' };

function forwardedBefore(event: ChargingEvent): boolean {
  return event.recipient?.history.slice(0, -1).some((h) => h.state === 'forwarded') ?? false;
}

/**
 * The record type of a kernel charging event: the submission by the interface it came in on,
 * reports by the interface they go back to, recipient events by the recipient's route target.
 * Towards another server (MM4, MM3, MM7, a custom target) the hand-over is the request record
 * (`MMO4FRq`, `MM7DRq`) and a later `delivered` is the next hop's report (`MMO4D`, `MM7DRs`).
 */
export function cdrRecordType(event: ChargingEvent): CdrRecordType {
  const origin = event.message.origin.interface;
  const target = event.recipient?.route?.target ?? 'local';
  const local = target === 'local';
  switch (event.type) {
    case 'submission':
      return SUBMISSION[origin] ?? 'MMO1S';
    case 'notified':
      return 'MMR1NRq';
    case 'retrieved':
      return 'MMR1Rt';
    case 'delivered':
      if (local) return 'MMR1A';
      if (forwardedBefore(event)) return target === 'mm7' ? 'MM7DRs' : 'MMO4D';
      return target === 'mm7' ? 'MM7DRq' : 'MMO4FRq';
    case 'forwarded':
      // A handset forwarding a message it did not fetch (MM1_forward.REQ) is TS 32.270's MMF.
      if (local) return 'MMF';
      return target === 'mm7' ? 'MM7DRq' : 'MMO4FRq';
    case 'expired':
    case 'recipient-rejected':
      return local ? 'MMRMD' : 'MMOMD';
    case 'delivery-report':
      return DELIVERY_REPORT[origin] ?? 'MMO1D';
    case 'read-report':
      return READ_REPORT[origin] ?? 'MMO1R';
  }
}

const STATUS_CODES: Record<string, CdrMmStatusCode> = {
  retrieved: 'retrieved',
  forwarded: 'forwarded',
  expired: 'expired',
  rejected: 'rejected',
  deferred: 'deferred',
  unrecognised: 'unrecognised',
  read: 'read',
  'deleted-without-reading': 'deletedWithoutBeingRead',
};

/** TS 32.298 `MMStatusCodeType` of an event, where one applies (reports, final recipient states). */
export function cdrMmStatusCode(event: ChargingEvent, recordType: CdrRecordType = cdrRecordType(event)): CdrMmStatusCode | undefined {
  if (event.status !== undefined) return STATUS_CODES[event.status];
  switch (event.type) {
    case 'retrieved':
      return 'retrieved';
    case 'delivered':
      // The hand-over records (MMO4FRq, MM7DRq) carry no MM status: the next hop has not said yet.
      return recordType === 'MMO4FRq' || recordType === 'MM7DRq' ? undefined : 'retrieved';
    case 'forwarded':
      return 'forwarded';
    case 'expired':
      return 'expired';
    case 'recipient-rejected':
      return 'rejected';
    default:
      return undefined;
  }
}

/** TS 32.298 `MessageClass` of an MMS message class. */
export function cdrMessageClass(messageClass: MessageClass): CdrMessageClass {
  return messageClass === 'informational' ? 'information-service' : messageClass;
}

const STATE_OF: Partial<Record<ChargingEventType, RecipientState>> = {
  notified: 'notified',
  retrieved: 'retrieved',
  delivered: 'delivered',
  forwarded: 'forwarded',
  expired: 'expired',
  'recipient-rejected': 'rejected',
};

/**
 * What tells one billing event from another of the same record type for the same recipient:
 * a report by its status (the kernel sends one report per recipient and status); a recipient
 * event by the place in the recipient's history where it entered that state. A job re-run after
 * a crash repeats the state (notified → notified) and so keeps the place, as does a re-sent
 * notification or a second download of the same message.
 */
function eventSequence(event: ChargingEvent): string | number {
  if (event.type === 'submission') return 0;
  if (event.type === 'delivery-report' || event.type === 'read-report') return event.status ?? '';
  const state = STATE_OF[event.type];
  const history = event.recipient?.history ?? [];
  let i = history.findLastIndex((h) => h.state === state);
  while (i > 0 && history[i - 1]!.state === state) i--;
  return i;
}

/** Fixed namespace of CDR ids (an RFC 9562 UUID), so ids never collide with other v5 UUIDs. */
const CDR_ID_NAMESPACE = Buffer.from('7680648495d848389732910b49af7ce1', 'hex');

/**
 * The id of the record of an event: an RFC 9562 name-based (version 5) UUID of the message id,
 * recipient index, record type and event sequence. Writing the same event again (a job re-run
 * after a crash, a restart between the write and the job's completion, another node taking the
 * job over) gives the same id, so a billing system drops duplicates by id; different events get
 * different ids. The id does not depend on the node or the time.
 */
export function cdrId(event: ChargingEvent, recordType: CdrRecordType = cdrRecordType(event)): string {
  const name = JSON.stringify([event.message.id, event.recipient?.index ?? null, recordType, eventSequence(event)]);
  const hash = createHash('sha1').update(CDR_ID_NAMESPACE).update(name).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The fields of a TS 32.298 MMS record that every kernel charging event knows, named as TS 32.298
 * names them (`cdrId`, `event` and the interfaces are ours). CDR writers extend it with what they
 * add (MM8: recipients, expiry, MM7 service fields, online-charging sessions).
 */
export interface CdrBase {
  /** Stable across retries: the same event written twice has the same id (`cdrId`); drop duplicates by it. */
  cdrId: string;
  /** TS 32.298 record type (MMO1S, MMR4F, MM7S, MMR1NRq, MMR1Rt, MMR1A, MMO4FRq, …). */
  recordType: CdrRecordType;
  /** The kernel event that produced the record. */
  event: ChargingEvent['type'];
  /** When the event happened (ISO 8601, UTC). */
  recordTimeStamp: string;
  /** The MMSC node that wrote it. */
  recordingEntity: string;
  messageID: string;
  originatorAddress: string;
  /** The recipient this record is about (recipient-level records). */
  recipientAddress?: string;
  recipientIndex?: number;
  /** Where the recipient was routed: `local`, `mm4`, `mm7`, `mm3`, … */
  routeTarget?: string;
  messageSize: number;
  contentType: string;
  messageClass?: CdrMessageClass;
  priority?: string;
  submissionTime: string;
  /** Interface the message came in on (mm1, mm3, mm4, mm7, api). */
  originatorInterface: string;
  vaspID?: string;
}

/** The `CdrBase` of an event, written by `node`. */
export function cdrBase(event: ChargingEvent, node: string, recordType: CdrRecordType = cdrRecordType(event)): CdrBase {
  const { message, recipient } = event;
  const h = message.headers;
  const cdr: CdrBase = {
    cdrId: cdrId(event, recordType),
    recordType,
    event: event.type,
    recordTimeStamp: new Date(event.at).toISOString(),
    recordingEntity: node,
    messageID: message.id,
    originatorAddress: formatAddress(h.from),
    messageSize: message.size,
    contentType: h.contentType.type,
    submissionTime: new Date(message.receivedAt).toISOString(),
    originatorInterface: message.origin.interface,
  };
  if (recipient) {
    cdr.recipientAddress = formatAddress(recipient.address);
    cdr.recipientIndex = recipient.index;
    if (recipient.route) cdr.routeTarget = recipient.route.target;
  }
  if (h.messageClass) cdr.messageClass = cdrMessageClass(h.messageClass);
  if (h.priority) cdr.priority = h.priority;
  const vasp = message.origin.attributes?.vaspId;
  if (typeof vasp === 'string' || typeof vasp === 'number') cdr.vaspID = String(vasp);
  return cdr;
}
