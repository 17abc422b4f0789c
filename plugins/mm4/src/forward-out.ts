import type { DeliveryRequest, DeliveryResult, RecipientRecord } from '@openmmsc/core';
import { KEEP_MS, type ForwardRecord, type Mm4Deps } from './context.js';
import type { OutboundHeaders } from './headers-out.js';
import { encodeWords, writeMail, type HeaderList } from './mime.js';
import { mailDate, messageClassOut, mm4Address, priorityOut } from './protocol.js';

/** Deliverer for route target `mm4`: one MM4_forward.REQ per recipient to the peer MMSC. */
export class ForwardSender {
  constructor(
    private readonly deps: Mm4Deps,
    private readonly headers: OutboundHeaders,
  ) {}

  async deliver(request: DeliveryRequest): Promise<DeliveryResult> {
    const { ctx, options, transports, stats } = this.deps;
    const { message, recipient, parts } = request;
    const domain = recipient.route?.destination;
    if (!domain) return { status: 'rejected', reason: { code: 'no-route', message: 'MM4 route without a peer domain' } };
    const peer = transports.peerFor(domain) ?? transports.defaultPeer(domain);
    if (!peer) return { status: 'rejected', reason: { code: 'no-route', message: `${domain} is not a configured MM4 peer` } };

    const transactionId = `${message.id}.${recipient.index}`;
    const all = await ctx.mmsc.getRecipients(message.id);
    const h = message.headers;
    const display = (r: RecipientRecord) => this.displayAddress(r);
    const to = all.filter((r) => r.kind === 'to').map(display);
    const cc = all.filter((r) => r.kind === 'cc').map(display);
    const headers: HeaderList = [
      ...this.headers.common('MM4_forward.REQ', transactionId, message.id),
      ['From', mm4Address(h.from, options.domain)],
      ['To', to.length ? to.join(', ') : 'undisclosed-recipients:;'],
    ];
    if (cc.length) headers.push(['Cc', cc.join(', ')]);
    if (h.subject?.text) headers.push(['Subject', encodeWords(h.subject.text)]);
    headers.push(['Date', mailDate(h.date ?? new Date(message.receivedAt))]);
    headers.push(['X-Mms-Expiry', mailDate(new Date(message.expiresAt))]);
    if (h.messageClass) headers.push(['X-Mms-Message-Class', messageClassOut(h.messageClass)]);
    if (h.priority) headers.push(['X-Mms-Priority', priorityOut(h.priority)]);
    headers.push(['X-Mms-Delivery-Report', h.deliveryReport ? 'Yes' : 'No']);
    headers.push(['X-Mms-Read-Reply', h.readReport ? 'Yes' : 'No']);
    if (h.senderVisibility === 'hide') headers.push(['X-Mms-Sender-Visibility', 'Hide']);
    headers.push(['X-Mms-Ack-Request', options.ackRequest ? 'Yes' : 'No']);
    headers.push(['X-Mms-Originator-System', this.headers.originatorSystem]);
    headers.push(['Sender', this.headers.originatorSystem]);
    headers.push(['Message-ID', `<${transactionId}@${options.domain}>`]);
    const raw = writeMail(headers, { contentType: h.contentType, parts });

    const keep = Math.max(KEEP_MS, message.expiresAt - ctx.now() + KEEP_MS);
    const record: ForwardRecord = { peer: peer.domain, transactionId };
    await ctx.kv.set(`fwd:${message.id}:${recipient.index}`, record, keep);
    await ctx.kv.set(`tx:${transactionId}`, { messageId: message.id, index: recipient.index, peer: peer.domain }, keep);

    const rcpt = mm4Address(recipient.address, domain);
    const outcome = await transports.send(peer, { from: this.headers.originatorSystem, to: [rcpt], raw });
    if (outcome.status === 'retry') return { status: 'retry', reason: outcome.reason };
    if (outcome.status === 'refused') {
      ctx.log.warn({ messageId: message.id, peer: peer.domain, code: outcome.code }, `peer refused MM4_forward.REQ: ${outcome.reason}`);
      return { status: 'rejected', reason: { code: outcome.code === 552 ? 'size-exceeded' : 'service-denied', message: `refused by ${peer.domain}: ${outcome.reason}` } };
    }
    stats.forwarded += 1;
    ctx.log.info({ messageId: message.id, recipient: recipient.index, peer: peer.domain, host: outcome.host }, 'MM4_forward.REQ accepted by peer');
    // With a delivery report asked for, the recipient waits in `forwarded` for the peer's report.
    return h.deliveryReport ? { status: 'forwarded', reference: transactionId } : { status: 'delivered', reference: transactionId };
  }

  private displayAddress(r: RecipientRecord): string {
    if (r.route?.target === 'mm4' && r.route.destination) return mm4Address(r.address, r.route.destination);
    return mm4Address(r.address, this.deps.options.domain);
  }
}
