import {
  CHARGING_SESSION_ID,
  cdrBase,
  cdrMmStatusCode,
  formatAddress,
  type CdrBase,
  type CdrMmStatusCode,
  type ChargingEvent,
  type RecipientRecord,
} from '@openmmsc/core';

/**
 * One CDR: the fields of a 3GPP TS 32.298 MMS record (TS 32.270 contents: MMO1S, MMR1Rt, MM7S, …)
 * that the MMSC knows: core's `CdrBase` (what every event knows) and the rest. Names are the ASN.1
 * field names of TS 32.298 where one exists; the others (`cdrId`, `event`, interfaces, routes,
 * `status`, `chargingSessionIds`) are ours.
 */
export interface Cdr extends CdrBase {
  /** Every recipient of the message (message-level records), `;`-separated in CSV. */
  recipientAddresses: string[];
  /** Peer MMSC domain, VASP id, mail host… */
  routeDestination?: string;
  deliveryReportRequested?: boolean;
  readReplyRequested?: boolean;
  timeOfExpiry: string;
  /** Interface towards the recipient, for recipient-level records. */
  recipientInterface?: string;
  /** Remote peer of the submission (MM4 domain, VASP, client IP). */
  peer?: string;
  vasID?: string;
  /** MM7 ServiceCode and LinkedID (MM7S). */
  serviceCode?: string;
  linkedID?: string;
  /** TS 32.298 ChargedParty, when the sender named one (MM7) or the interface implies it. */
  chargedParty?: CdrChargedParty;
  /** What happened, in the kernel's words: accepted, notified, retrieved, delivered, forwarded, expired, rejected, or the report's status. */
  status: string;
  /** TS 32.298 MMStatusCodeType, where one applies. */
  mmStatusCode?: CdrMmStatusCode;
  /** Why (a rejection's or expiry's reason). */
  statusText?: string;
  /** Online-charging sessions (MM9 Diameter Session-Ids) of the message's (or this recipient's) charges; space-separated in CSV. */
  chargingSessionIds?: string[];
}

/** TS 32.298 ChargedParty (MMO1S, MM7S); `thirdParty` is MM7 REL-6's ThirdParty, which TS 32.298 does not enumerate. */
export type CdrChargedParty = 'sender' | 'recipient' | 'both' | 'neither' | 'notspecifiedbyVASP' | 'thirdParty';

/** Column order of CSV files. */
export const CDR_FIELDS = [
  'cdrId',
  'recordType',
  'event',
  'recordTimeStamp',
  'recordingEntity',
  'messageID',
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
  'timeOfExpiry',
  'originatorInterface',
  'recipientInterface',
  'peer',
  'vaspID',
  'vasID',
  'serviceCode',
  'linkedID',
  'chargedParty',
  'status',
  'mmStatusCode',
  'statusText',
  'chargingSessionIds',
] as const satisfies ReadonlyArray<keyof Cdr>;

/** Separator of list fields in CSV: Diameter Session-Ids contain `;`. */
const CSV_LIST_SEPARATOR: Partial<Record<string, string>> = { chargingSessionIds: ' ' };

const CHARGED_PARTY: Record<string, CdrChargedParty> = {
  sender: 'sender',
  recipient: 'recipient',
  both: 'both',
  neither: 'neither',
  thirdparty: 'thirdParty',
  notspecifiedbyvasp: 'notspecifiedbyVASP',
};

function text(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

function chargedPartyOf(event: ChargingEvent): CdrChargedParty | undefined {
  const { message } = event;
  const named = text(message.origin.attributes?.chargedParty) ?? message.headers.extra?.['X-Mm7-Charged-Party'];
  if (named) return CHARGED_PARTY[named.toLowerCase()];
  if (event.type !== 'submission') return undefined;
  // A handset pays for what it sends; a VASP that names no charged party is TS 32.298's notspecifiedbyVASP.
  if (message.origin.interface === 'mm1') return 'sender';
  if (message.origin.interface === 'mm7') return 'notspecifiedbyVASP';
  return undefined;
}

const STATUS: Record<ChargingEvent['type'], string | undefined> = {
  submission: 'accepted',
  'recipient-rejected': 'rejected',
  notified: 'notified',
  retrieved: 'retrieved',
  delivered: 'delivered',
  forwarded: 'forwarded',
  expired: 'expired',
  'delivery-report': undefined,
  'read-report': undefined,
};

function sessionIdsOf(recipients: readonly RecipientRecord[]): string[] {
  const ids = recipients.map((r) => r.charge?.[CHARGING_SESSION_ID]).filter((id): id is string => typeof id === 'string');
  return [...new Set(ids)];
}

/**
 * The CDR of an event. `recipients` (the message's recipients as stored) gives message-level
 * records the online-charging sessions of every recipient.
 */
export function toCdr(event: ChargingEvent, node: string, recipients: readonly RecipientRecord[] = []): Cdr {
  const { message, recipient } = event;
  const h = message.headers;
  const cdr: Cdr = {
    ...cdrBase(event, node),
    recipientAddresses: [...h.to, ...h.cc, ...h.bcc].map(formatAddress),
    timeOfExpiry: new Date(message.expiresAt).toISOString(),
    status: event.status ?? STATUS[event.type] ?? event.type,
  };
  if (recipient?.route) {
    cdr.recipientInterface = recipient.route.target === 'local' ? 'mm1' : recipient.route.target;
    if (recipient.route.destination) cdr.routeDestination = recipient.route.destination;
  }
  if (h.deliveryReport !== undefined) cdr.deliveryReportRequested = h.deliveryReport;
  if (h.readReport !== undefined) cdr.readReplyRequested = h.readReport;
  if (message.origin.peer) cdr.peer = message.origin.peer;
  const attributes = message.origin.attributes ?? {};
  const vas = text(attributes.vasId) ?? h.extra?.['X-Mm7-VAS-ID'];
  if (vas) cdr.vasID = vas;
  const serviceCode = text(attributes.serviceCode);
  if (serviceCode) cdr.serviceCode = serviceCode;
  const linkedId = text(attributes.linkedId);
  if (linkedId) cdr.linkedID = linkedId;
  const party = chargedPartyOf(event);
  if (party) cdr.chargedParty = party;
  const code = cdrMmStatusCode(event, cdr.recordType);
  if (code) cdr.mmStatusCode = code;
  const reason = recipient && (event.type === 'recipient-rejected' || event.type === 'expired') ? recipient.history.at(-1)?.reason : undefined;
  if (reason) cdr.statusText = reason;
  const sessions = sessionIdsOf(recipient ? [recipient] : recipients);
  if (sessions.length) cdr.chargingSessionIds = sessions;
  return cdr;
}

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF. */
function csvField(v: unknown, separator = ';'): string {
  if (v === undefined || v === null) return '';
  // Records stay on one line (crash recovery cuts at the last newline): line breaks become spaces.
  const s = (Array.isArray(v) ? v.join(separator) : String(v)).replace(/[\r\n]+/g, ' ');
  return /[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(fields: readonly string[] = CDR_FIELDS): string {
  return `${fields.join(',')}\n`;
}

export function toCsvLine(cdr: Cdr, fields: readonly string[] = CDR_FIELDS): string {
  const record = cdr as unknown as Record<string, unknown>;
  return `${fields.map((f) => csvField(record[f], CSV_LIST_SEPARATOR[f])).join(',')}\n`;
}

export function toJsonLine(cdr: Cdr): string {
  return `${JSON.stringify(cdr)}\n`;
}
