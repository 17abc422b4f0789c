import type { IncomingHttpHeaders } from 'node:http';
import { Refusal } from './refusal.js';

/** The EAIF HTTP headers, spelt as the Nokia MMSC and Mbuni write them (HTTP names are case-insensitive). */
export const EAIF_HEADER = {
  version: 'X-NOKIA-MMSC-Version',
  messageType: 'X-NOKIA-MMSC-Message-Type',
  messageId: 'X-NOKIA-MMSC-Message-Id',
  from: 'X-NOKIA-MMSC-From',
  to: 'X-NOKIA-MMSC-To',
  charging: 'X-NOKIA-MMSC-Charging',
  chargedParty: 'X-NOKIA-MMSC-Charged-Party',
  status: 'X-NOKIA-MMSC-Status',
} as const;

/** X-NOKIA-MMSC-Message-Type values. */
export type EaifMessageType = 'MultiMediaMessage' | 'DeliveryReport' | 'ReadReply';

/** The MMS content type every EAIF body has. */
export const MMS_MESSAGE = 'application/vnd.wap.mms-message';

/** X-NOKIA-MMSC-Charged-Party values, written as MM7's ChargedParty (which the CDR writers read). */
export type ChargedParty = 'Sender' | 'Recipient' | 'Both' | 'Neither' | 'ThirdParty';
const CHARGED_PARTIES: ReadonlyMap<string, ChargedParty> = new Map(
  (['Sender', 'Recipient', 'Both', 'Neither', 'ThirdParty'] as const).map((p) => [p.toLowerCase(), p]),
);

/** What an application's submission says in its EAIF headers. */
export interface SubmissionHeaders {
  /** X-NOKIA-MMSC-From: the sender, in place of the PDU's From. */
  from?: string;
  /** X-NOKIA-MMSC-To (repeatable, comma-separated): the recipients, in place of the PDU's. */
  to: string[];
  /** X-NOKIA-MMSC-Message-Id: the application's own id of the message. */
  messageId?: string;
  /** X-NOKIA-MMSC-Charging: digits, passed to charging as they are. */
  charging?: string;
  chargedParty?: ChargedParty;
  version?: string;
}

function one(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  const s = (Array.isArray(v) ? v.join(', ') : v)?.trim();
  return s ? s : undefined;
}

/** Reads and checks the EAIF headers of a submission; a malformed one is a format error. */
export function readSubmissionHeaders(headers: IncomingHttpHeaders): SubmissionHeaders {
  const type = one(headers, EAIF_HEADER.messageType);
  if (type !== undefined && type.toLowerCase() !== 'multimediamessage') {
    throw new Refusal('unsupported-message', `${EAIF_HEADER.messageType}: ${type} is not accepted here; applications submit MultiMediaMessage`);
  }
  const out: SubmissionHeaders = { to: [] };
  // Node joins repeated headers with ", "; each may itself list several addresses.
  const to = one(headers, EAIF_HEADER.to);
  if (to !== undefined) out.to = to.split(',').map((s) => s.trim()).filter(Boolean);
  const from = one(headers, EAIF_HEADER.from);
  if (from !== undefined) out.from = from;
  const id = one(headers, EAIF_HEADER.messageId);
  if (id !== undefined) {
    if (id.length > 128 || /[\s,]/.test(id)) throw new Refusal('format-corrupt', `${EAIF_HEADER.messageId} must be one token of at most 128 characters`);
    out.messageId = id;
  }
  const charging = one(headers, EAIF_HEADER.charging);
  if (charging !== undefined) {
    if (!/^\d{1,8}$/.test(charging)) throw new Refusal('format-corrupt', `${EAIF_HEADER.charging} must be 1 to 8 digits, not ${JSON.stringify(charging)}`);
    out.charging = charging;
  }
  const party = one(headers, EAIF_HEADER.chargedParty);
  if (party !== undefined) {
    const known = CHARGED_PARTIES.get(party.toLowerCase());
    if (!known) throw new Refusal('format-corrupt', `${EAIF_HEADER.chargedParty} must be Sender, Recipient, Both, Neither or ThirdParty, not ${JSON.stringify(party)}`);
    out.chargedParty = known;
  }
  const version = one(headers, EAIF_HEADER.version);
  if (version !== undefined) {
    if (!/^\d{1,3}(\.\d{1,3}){0,2}$/.test(version)) throw new Refusal('format-corrupt', `${EAIF_HEADER.version} must be a version number such as 3.0`);
    out.version = version;
  }
  return out;
}
