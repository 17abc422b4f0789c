import { PermanentJobError, type Report, type StoredMessage } from '@openmmsc/core';
import type { Mm4Deps } from './context.js';
import type { OutboundHeaders } from './headers-out.js';
import { encodeWords, writeMail, type HeaderList } from './mime.js';
import { MM_STATUS_FOR, READ_STATUS_FOR, answerAddress, mm4Address, type Mm4Type } from './protocol.js';

/** ReportSender for interface `mm4`: MM4_delivery_report.REQ / MM4_read_reply_report.REQ to the originator MMSC. */
export class ReportForwarder {
  constructor(
    private readonly deps: Mm4Deps,
    private readonly headers: OutboundHeaders,
  ) {}

  async send(report: Report, message: StoredMessage): Promise<void> {
    const { ctx, options, transports, stats } = this.deps;
    const peerDomain = message.origin.peer;
    if (!peerDomain) throw new PermanentJobError('message came in over MM4 without a peer');
    const peer = transports.peerFor(peerDomain) ?? transports.defaultPeer(peerDomain);
    if (!peer) throw new PermanentJobError(`${peerDomain} is no longer a configured MM4 peer`);
    const attrs = message.origin.attributes ?? {};
    const senderDomain = typeof attrs.senderDomain === 'string' ? attrs.senderDomain : peer.domain;
    const originalId = typeof attrs.messageId === 'string' ? attrs.messageId : message.id;
    const to = mm4Address(message.headers.from, senderDomain);
    const type: Mm4Type = report.kind === 'delivery' ? 'MM4_delivery_report.REQ' : 'MM4_read_reply_report.REQ';
    const headers: HeaderList = [
      ...this.headers.common(type, this.headers.newTransactionId(), originalId),
      ['From', mm4Address(report.recipient, options.domain)],
      ['To', to],
      ['X-Mms-Ack-Request', options.ackRequest ? 'Yes' : 'No'],
    ];
    if (report.kind === 'delivery') headers.push(['X-Mms-MM-Status-Code', MM_STATUS_FOR[report.status]]);
    else headers.push(['X-Mms-Read-Status', READ_STATUS_FOR[report.status]]);
    if (report.text) headers.push(['X-Mms-Status-Text', encodeWords(report.text)]);
    // The report's Date is when the recipient's state changed (one Date header: RFC 5322 §3.6).
    headers.push(['X-Mms-Originator-System', this.headers.originatorSystem], ...this.headers.mailMeta(new Date(report.at)));
    const raw = writeMail(headers, { text: `${type} for message ${originalId}` });
    const toDomain = to.slice(to.lastIndexOf('@') + 1).toLowerCase();
    const peerDomains = [peer.domain, ...peer.aliases].map((d) => d.toLowerCase());
    const fallback = typeof attrs.originatorSystem === 'string' ? answerAddress([], { type, ackRequest: false, originatorSystem: attrs.originatorSystem }, undefined) : undefined;
    const rcpt = peerDomains.includes(toDomain) || !fallback ? to : fallback;
    const outcome = await transports.send(peer, { from: this.headers.originatorSystem, to: [rcpt], raw });
    if (outcome.status === 'retry') throw new Error(`${type} to ${peer.domain}: ${outcome.reason}`);
    if (outcome.status === 'refused') throw new PermanentJobError(`${type} refused by ${peer.domain}: ${outcome.reason}`);
    stats.reportsSent += 1;
    ctx.log.info({ messageId: message.id, peer: peer.domain, kind: report.kind, status: report.status }, `${type} sent`);
  }
}
