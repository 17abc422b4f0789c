import type { Mm4Deps } from './context.js';
import type { OutboundHeaders } from './headers-out.js';
import { encodeWords, writeMail, type HeaderList } from './mime.js';
import type { PeerOptions } from './options.js';
import { isPeerSystem } from './peer-trust.js';
import { answerAddress, type Mm4Envelope, type Mm4Type, type RequestStatus } from './protocol.js';
import type { InboundMail } from './server.js';

/** Sends MM4_*.RES answers in the background, retrying a few times with back-off. */
export class Responder {
  private readonly pending = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    private readonly deps: Mm4Deps,
    private readonly headers: OutboundHeaders,
  ) {}

  /** Answers a request of `mail.peer`; only ever to that peer's own system. */
  respond(mail: InboundMail, requestHeaders: HeaderList, env: Mm4Envelope, type: Mm4Type, status: RequestStatus, text: string): void {
    const { log } = this.deps.ctx;
    const to = answerAddress(requestHeaders, env, mail.mailFrom);
    if (!to) {
      log.warn({ peer: mail.peer.domain, type }, 'no address to send the answer to');
      return;
    }
    if (!isPeerSystem(mail.peer, to)) {
      log.warn({ peer: mail.peer.domain, type, to }, `${type} not sent: ${to} is not a system of ${mail.peer.domain}`);
      return;
    }
    const h: HeaderList = [...this.headers.common(type, env.transactionId ?? this.headers.newTransactionId(), env.messageId)];
    h.push(['X-Mms-Request-Status-Code', status], ['X-Mms-Status-Text', encodeWords(text)], ['From', this.headers.originatorSystem], ['To', to], ...this.headers.mailMeta());
    const raw = writeMail(h, { text: `${type}: ${status}` });
    const run = this.sendWithRetry(mail.peer, to, raw, type).finally(() => this.pending.delete(run));
    this.pending.add(run);
  }

  private async sendWithRetry(peer: PeerOptions, to: string, raw: Buffer, type: Mm4Type): Promise<void> {
    const { transports, options, stats, ctx } = this.deps;
    const attempts = Math.max(1, options.responseRetries);
    for (let attempt = 1; attempt <= attempts && !this.stopping; attempt++) {
      const outcome = await transports.send(peer, { from: this.headers.originatorSystem, to: [to], raw });
      if (outcome.status === 'sent') {
        stats.responsesSent += 1;
        return;
      }
      if (outcome.status === 'refused') {
        ctx.log.warn({ peer: peer.domain, type, reason: outcome.reason }, `${type} refused by peer`);
        return;
      }
      ctx.log.warn({ peer: peer.domain, type, attempt, reason: outcome.reason }, `${type} not sent; will retry`);
      await new Promise((r) => setTimeout(r, Math.min(60_000, 500 * 2 ** (attempt - 1))).unref());
    }
  }

  /** Stops retrying answers and waits a moment for those in flight. */
  async drain(ms = 5000): Promise<void> {
    this.stopping = true;
    await Promise.race([Promise.allSettled([...this.pending]), new Promise((r) => setTimeout(r, ms).unref())]);
  }
}
