import { cdrId, cdrMessageClass, cdrRecordType, formatAddress, type CdrMessageClass, type CdrRecordType, type ChargingEvent } from '@openmmsc/core';

/**
 * The fields of a 3GPP TS 32.298 MMS record that a kernel event knows, named as TS 32.298 (and
 * as `@openmmsc/plugin-mm8`, which writes a superset) names them.
 */
export interface Cdr {
  /** Stable across retries: the same event written twice has the same id; drop duplicates by it. */
  cdrId: string;
  /** TS 32.298 record type (MMO1S, MM7S, MMR4F, MMR1NRq, MMR1Rt, MMR1A, …). */
  recordType: CdrRecordType;
  event: ChargingEvent['type'];
  recordTimeStamp: string;
  /** The node that wrote it. */
  recordingEntity: string;
  messageID: string;
  originatorAddress: string;
  recipientAddress?: string;
  recipientIndex?: number;
  routeTarget?: string;
  messageSize: number;
  contentType: string;
  messageClass?: CdrMessageClass;
  priority?: string;
  submissionTime: string;
  originatorInterface: string;
  vaspID?: string;
  /** A report's status (retrieved, read, …). */
  status?: string;
}

export function toCdr(event: ChargingEvent, node: string): Cdr {
  const { message, recipient } = event;
  const recordType = cdrRecordType(event);
  const cdr: Cdr = {
    cdrId: cdrId(event, recordType),
    recordType,
    event: event.type,
    recordTimeStamp: new Date(event.at).toISOString(),
    recordingEntity: node,
    messageID: message.id,
    originatorAddress: formatAddress(message.headers.from),
    messageSize: message.size,
    contentType: message.headers.contentType.type,
    submissionTime: new Date(message.receivedAt).toISOString(),
    originatorInterface: message.origin.interface,
  };
  if (recipient) {
    cdr.recipientAddress = formatAddress(recipient.address);
    cdr.recipientIndex = recipient.index;
    if (recipient.route) cdr.routeTarget = recipient.route.target;
  }
  if (message.headers.messageClass) cdr.messageClass = cdrMessageClass(message.headers.messageClass);
  if (message.headers.priority) cdr.priority = message.headers.priority;
  const vasp = message.origin.attributes?.vaspId;
  if (typeof vasp === 'string') cdr.vaspID = vasp;
  if (event.status) cdr.status = event.status;
  return cdr;
}
