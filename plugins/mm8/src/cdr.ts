import { formatAddress, type Address, type ChargingEvent } from '@openmmsc/core';

/**
 * One CDR: the fields of a 3GPP TS 32.298 MMS record (§5.1.3, MMO1S, MMR1Rt, MM7S, …) that the
 * MMSC knows. Names follow the ASN.1 field names of TS 32.298 where one exists.
 */
export interface Cdr {
  /** TS 32.298 record type (MMO1S, MMR4F, MM7S, MMR1N, MMR1Rt, MMR1A, MMO4FRq, …). */
  recordType: string;
  /** The kernel event that produced the record. */
  event: ChargingEvent['type'];
  /** When the event happened (ISO 8601, UTC). */
  recordTime: string;
  /** The MMSC node that wrote it (recordingEntity). */
  recordingEntity: string;
  messageId: string;
  originatorAddress: string;
  /** Every recipient of the message (message-level records), `;`-separated in CSV. */
  recipientAddresses: string[];
  /** The recipient this record is about (recipient-level records). */
  recipientAddress?: string;
  recipientIndex?: number;
  /** Where the recipient was routed: `local`, `mm4`, `mm7`, `mm3`, … */
  routeTarget?: string;
  /** Peer MMSC domain, VASP id, mail host… */
  routeDestination?: string;
  messageSize: number;
  contentType: string;
  messageClass?: string;
  priority?: string;
  deliveryReportRequested?: boolean;
  readReplyRequested?: boolean;
  submissionTime: string;
  expiryTime: string;
  /** Interface the message came in on (mm1, mm3, mm4, mm7, api). */
  originatorInterface: string;
  /** Interface towards the recipient, for recipient-level records. */
  recipientInterface?: string;
  /** Remote peer of the submission (MM4 domain, VASP, client IP). */
  peer?: string;
  vaspId?: string;
  vasId?: string;
  /** Sender, Recipient, Both, Neither, ThirdParty (TS 32.298 ChargedParty). */
  chargedParty: string;
  /** Outcome: retrieved, rejected, expired, forwarded, read, … */
  status?: string;
  /** Online-charging reference kept by MM9 (session id), when both run. */
  chargingReference?: string;
}

/** Column order of CSV files. */
export const CDR_FIELDS = [
  'recordType',
  'event',
  'recordTime',
  'recordingEntity',
  'messageId',
  'originatorAddress',
  'recipientAddresses',
  'recipientAddress',
  'recipientIndex',
  'routeTarget',
  'routeDestination',
  'messageSize',
  'contentType',
  'messageClass',
  'priority',
  'deliveryReportRequested',
  'readReplyRequested',
  'submissionTime',
  'expiryTime',
  'originatorInterface',
  'recipientInterface',
  'peer',
  'vaspId',
  'vasId',
  'chargedParty',
  'status',
  'chargingReference',
] as const satisfies ReadonlyArray<keyof Cdr>;

/** Originator-side records: the submission, by the interface it came in on (TS 32.298 record types). */
const SUBMISSION: Record<string, string> = { mm1: 'MMO1S', mm4: 'MMR4F', mm7: 'MM7S', mm3: 'MMO3S' };
/** Reports back to the originator, by the interface the original came in on. */
const DELIVERY_REPORT: Record<string, string> = { mm1: 'MMO1D', mm4: 'MMO4D', mm7: 'MM7DRRq', mm3: 'MMO3D' };
const READ_REPORT: Record<string, string> = { mm1: 'MMO1R', mm4: 'MMO4R', mm7: 'MM7RRq', mm3: 'MMO3R' };
/** Hand-over to the next hop, by route target. */
const FORWARDED: Record<string, string> = { mm4: 'MMO4FRq', mm7: 'MM7DRq', mm3: 'MMO3F', local: 'MMR1N' };
/** Final delivery, by route target. */
const DELIVERED: Record<string, string> = { local: 'MMR1A', mm4: 'MMO4FRs', mm7: 'MM7DRs', mm3: 'MMO3F' };

/** The TS 32.298 record type for an event; interfaces the specification does not cover get `MMO3*`-style names. */
export function recordTypeOf(event: ChargingEvent): string {
  const origin = event.message.origin.interface;
  const target = event.recipient?.route?.target ?? 'local';
  switch (event.type) {
    case 'submission':
      return SUBMISSION[origin] ?? 'MMO1S';
    case 'notified':
      return 'MMR1N';
    case 'retrieved':
      return 'MMR1Rt';
    case 'delivered':
      return DELIVERED[target] ?? 'MMR1A';
    case 'forwarded':
      return FORWARDED[target] ?? 'MMO4FRq';
    case 'expired':
    case 'recipient-rejected':
      return 'MMRMD';
    case 'delivery-report':
      return DELIVERY_REPORT[origin] ?? 'MMO1D';
    case 'read-report':
      return READ_REPORT[origin] ?? 'MMO1R';
  }
}

const RECIPIENT_SIDE = new Set<ChargingEvent['type']>(['notified', 'retrieved', 'delivered', 'forwarded', 'expired', 'recipient-rejected']);

function addr(a: Address): string {
  return formatAddress(a);
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

export function toCdr(event: ChargingEvent, node: string): Cdr {
  const { message, recipient } = event;
  const h = message.headers;
  const explicitParty = h.extra?.['X-Mms-Charged-Party'] ?? text(message.origin.attributes?.chargedParty);
  const cdr: Cdr = {
    recordType: recordTypeOf(event),
    event: event.type,
    recordTime: new Date(event.at).toISOString(),
    recordingEntity: node,
    messageId: message.id,
    originatorAddress: addr(h.from),
    recipientAddresses: [...h.to, ...h.cc, ...h.bcc].map(addr),
    messageSize: message.size,
    contentType: h.contentType.type,
    submissionTime: new Date(message.receivedAt).toISOString(),
    expiryTime: new Date(message.expiresAt).toISOString(),
    originatorInterface: message.origin.interface,
    chargedParty: explicitParty ?? (RECIPIENT_SIDE.has(event.type) ? 'Recipient' : 'Sender'),
  };
  if (recipient) {
    cdr.recipientAddress = addr(recipient.address);
    cdr.recipientIndex = recipient.index;
    if (recipient.route) {
      cdr.routeTarget = recipient.route.target;
      cdr.recipientInterface = recipient.route.target === 'local' ? 'mm1' : recipient.route.target;
      if (recipient.route.destination) cdr.routeDestination = recipient.route.destination;
    }
    const ref = recipient.charge?.mm9Session;
    if (typeof ref === 'string') cdr.chargingReference = ref;
  }
  if (h.messageClass) cdr.messageClass = h.messageClass;
  if (h.priority) cdr.priority = h.priority;
  if (h.deliveryReport !== undefined) cdr.deliveryReportRequested = h.deliveryReport;
  if (h.readReport !== undefined) cdr.readReplyRequested = h.readReport;
  if (message.origin.peer) cdr.peer = message.origin.peer;
  const vasp = text(message.origin.attributes?.vaspId);
  if (vasp) cdr.vaspId = vasp;
  const vas = text(message.origin.attributes?.vasId) ?? h.extra?.['X-Mms-VAS-ID'];
  if (vas) cdr.vasId = vas;
  const status = event.status ?? defaultStatus(event);
  if (status) cdr.status = status;
  return cdr;
}

function defaultStatus(event: ChargingEvent): string | undefined {
  switch (event.type) {
    case 'submission':
      return 'accepted';
    case 'recipient-rejected':
      return event.recipient?.history.at(-1)?.reason ? `rejected: ${event.recipient.history.at(-1)!.reason}` : 'rejected';
    case 'expired':
      return 'expired';
    case 'retrieved':
      return 'retrieved';
    case 'delivered':
      return 'delivered';
    case 'forwarded':
      return 'forwarded';
    case 'notified':
      return 'notified';
    default:
      return undefined;
  }
}

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF. */
function csvField(v: unknown): string {
  if (v === undefined || v === null) return '';
  // Records stay on one line (crash recovery cuts at the last newline): line breaks become spaces.
  const s = (Array.isArray(v) ? v.join(';') : String(v)).replace(/[\r\n]+/g, ' ');
  return /[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(fields: readonly string[] = CDR_FIELDS): string {
  return `${fields.join(',')}\n`;
}

export function toCsvLine(cdr: Cdr, fields: readonly string[] = CDR_FIELDS): string {
  const record = cdr as unknown as Record<string, unknown>;
  return `${fields.map((f) => csvField(record[f])).join(',')}\n`;
}

export function toJsonLine(cdr: Cdr): string {
  return `${JSON.stringify(cdr)}\n`;
}
