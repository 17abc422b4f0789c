import { PermanentJobError, type DeliveryStatus, type NotificationInfo, type Report, type StoredMessage } from '@openmmsc/core';
import { encodePdu, encodeWapPush, type DeliveryInd, type ReadOrigInd, type Status } from '@openmmsc/codec';
import { toEncodedAddress } from './convert.js';
import type { Dialect } from './dialects.js';
import { PDU_TYPE, textAnswer, type HttpAnswer } from './http-answer.js';
import type { Mm1 } from './mm1.js';

/** What a signed report token carries (enough to rebuild the PDU). */
interface SealedReport {
  k: 'd' | 'r';
  m: string;
  /** Recipient (whose delivery or reading this reports). */
  r: string;
  /** Original sender (where the report goes). */
  s: string;
  st: string;
  at: number;
}

const KERNEL_TO_MMS_STATUS: Record<DeliveryStatus, Status> = {
  retrieved: 'retrieved',
  rejected: 'rejected',
  deferred: 'deferred',
  expired: 'expired',
  forwarded: 'forwarded',
  unreachable: 'unreachable',
  indeterminate: 'indeterminate',
  deleted: 'rejected',
  unrecognised: 'unrecognised',
};

/** ReportSender for messages that came in over MM1: the report PDU is pushed to the sender. */
export async function sendReport(mm1: Mm1, report: Report, message: StoredMessage, signal: AbortSignal): Promise<void> {
  const sender = message.headers.from;
  if (sender.type !== 'plmn') {
    mm1.ctx.log.debug({ messageId: message.id }, 'report not sent: the sender has no phone number');
    return;
  }
  if (!mm1.baseUrl) throw new Error('the MM1 server is not listening yet');
  const sealed: SealedReport = {
    k: report.kind === 'delivery' ? 'd' : 'r',
    m: report.messageId,
    r: report.recipient.value,
    s: sender.value,
    st: report.status,
    at: report.at,
  };
  const dialect = await mm1.dialects.forSubscriber(sender.value);
  const pdu = reportPdu(mm1, sealed, dialect.mmsVersion);
  const bearer = mm1.ctx.service('PushBearer');
  if (!bearer) throw new PermanentJobError('no push bearer is configured');
  const info: NotificationInfo = {
    messageId: message.id,
    recipient: sender,
    size: pdu.byteLength,
    expiry: new Date(report.at + mm1.o.reports.retrievableFor),
    kind: report.kind === 'delivery' ? 'delivery-report' : 'read-report',
    contentLocation: `${dialect.publicUrl ?? mm1.baseUrl}/r/${mm1.signer.seal(sealed)}`,
  };
  const push = encodeWapPush({ transactionId: (Math.random() * 256) | 0, body: pdu });
  const result = await bearer.push({ to: sender, notification: info, pdu: push }, signal);
  if (result.status === 'retry') throw new Error(`${bearer.name}: ${result.reason}`);
  if (result.status === 'failed') throw new PermanentJobError(`${bearer.name}: ${result.reason}`);
  mm1.ctx.log.debug({ messageId: message.id, to: sender.value, report: report.kind, status: report.status }, 'report pushed');
}

function reportPdu(mm1: Mm1, s: SealedReport, mmsVersion: string): Buffer {
  const parse = (raw: string) => mm1.ctx.mmsc.parseAddress(raw);
  if (s.k === 'd') {
    const ind: DeliveryInd = {
      messageType: 'm-delivery-ind',
      mmsVersion,
      messageId: s.m,
      to: [toEncodedAddress(parse(s.r))],
      date: new Date(s.at),
      status: KERNEL_TO_MMS_STATUS[s.st as DeliveryStatus] ?? 'indeterminate',
    };
    return encodePdu(ind);
  }
  const ind: ReadOrigInd = {
    messageType: 'm-read-orig-ind',
    mmsVersion,
    messageId: s.m,
    to: [toEncodedAddress(parse(s.s))],
    from: toEncodedAddress(parse(s.r)),
    date: new Date(s.at),
    readStatus: s.st === 'deleted-without-reading' ? 'deleted-without-being-read' : 'read',
  };
  return encodePdu(ind);
}

/** GET `/r/<token>`: a pushed report, fetched again. */
export function fetchReport(mm1: Mm1, token: string, dialect?: Dialect): HttpAnswer {
  const sealed = mm1.signer.unseal<SealedReport>(token);
  if (!sealed || typeof sealed.at !== 'number' || sealed.at + mm1.o.reports.retrievableFor < mm1.now()) return textAnswer(404, 'no such report');
  try {
    return { status: 200, contentType: PDU_TYPE, body: reportPdu(mm1, sealed, dialect?.mmsVersion ?? mm1.o.mmsVersion) };
  } catch {
    return textAnswer(404, 'no such report');
  }
}
