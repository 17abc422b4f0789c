import { formatAddress, type ChargingEvent } from '@openmmsc/core';

/** The fields of a 3GPP TS 32.270 MMS record that a kernel-level event knows. */
export interface Cdr {
  recordType: string;
  event: ChargingEvent['type'];
  recordTime: string;
  node: string;
  messageId: string;
  originator: string;
  recipient?: string;
  recipientIndex?: number;
  routeTarget?: string;
  messageSize: number;
  contentType: string;
  messageClass?: string;
  priority?: string;
  submissionTime: string;
  interface: string;
  vaspId?: string;
  status?: string;
}

const RECORD_TYPE: Record<ChargingEvent['type'], string> = {
  submission: 'MMO1R',
  'recipient-rejected': 'MMR1NRsR',
  notified: 'MMR1NRqR',
  retrieved: 'MMR1RtR',
  delivered: 'MMR1AR',
  forwarded: 'MMR4FRq',
  expired: 'MMR1RRR',
  'delivery-report': 'MMO1DR',
  'read-report': 'MMO1RR',
};

export function toCdr(event: ChargingEvent, node: string): Cdr {
  const { message, recipient } = event;
  const cdr: Cdr = {
    recordType: RECORD_TYPE[event.type],
    event: event.type,
    recordTime: new Date(event.at).toISOString(),
    node,
    messageId: message.id,
    originator: formatAddress(message.headers.from),
    messageSize: message.size,
    contentType: message.headers.contentType.type,
    submissionTime: new Date(message.receivedAt).toISOString(),
    interface: message.origin.interface,
  };
  if (recipient) {
    cdr.recipient = formatAddress(recipient.address);
    cdr.recipientIndex = recipient.index;
    if (recipient.route) cdr.routeTarget = recipient.route.target;
  }
  if (message.headers.messageClass) cdr.messageClass = message.headers.messageClass;
  if (message.headers.priority) cdr.priority = message.headers.priority;
  const vasp = message.origin.attributes?.vaspId;
  if (typeof vasp === 'string') cdr.vaspId = vasp;
  if (event.status) cdr.status = event.status;
  return cdr;
}
