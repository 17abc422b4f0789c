import { PermanentJobError, type JobKindHandle } from '@openmmsc/core';
import type { Mm4Deps } from './context.js';
import type { OutboundHeaders } from './headers-out.js';
import { encodeWords, writeMail, type HeaderList } from './mime.js';
import { isPeerSystem } from './peer-trust.js';
import { answerAddress, type Mm4Envelope, type Mm4Type, type RequestStatus } from './protocol.js';
import type { InboundMail } from './server.js';

/** An MM4_*.RES waiting to be sent: a durable job, so a restart or a peer outage does not lose it. */
interface ResponseJob {
  /** The peer's configured domain (its transport is looked up again at each attempt). */
  peer: string;
  to: string;
  type: Mm4Type;
  /** The whole mail, base64. */
  raw: string;
}

/** First retry delay of an answer; each later one doubles, at most `RETRY_MAX`. */
const RETRY_INITIAL = '500ms';
const RETRY_MAX = '60s';

/** Sends MM4_*.RES answers as durable jobs (kind `response`), retried with back-off `responseRetries` times in all. */
export class Responder {
  private readonly pending = new Set<Promise<void>>();
  private readonly responses: JobKindHandle<ResponseJob>;

  constructor(
    private readonly deps: Mm4Deps,
    private readonly headers: OutboundHeaders,
  ) {
    this.responses = deps.ctx.jobs.define<ResponseJob>('response', (job) => this.send(job.data, job.attempt), {
      maxAttempts: Math.max(1, deps.options.responseRetries),
      backoff: { initial: RETRY_INITIAL, factor: 2, max: RETRY_MAX },
      concurrency: 8,
    });
  }

  /**
   * Answers a request of `mail.peer`, only ever to that peer's own system. Resolves once the
   * answer is stored as a job (never rejects: a store failure is logged).
   */
  respond(mail: InboundMail, requestHeaders: HeaderList, env: Mm4Envelope, type: Mm4Type, status: RequestStatus, text: string): Promise<void> {
    const { log } = this.deps.ctx;
    const to = answerAddress(requestHeaders, env, mail.mailFrom);
    if (!to) {
      log.warn({ peer: mail.peer.domain, type }, 'no address to send the answer to');
      return Promise.resolve();
    }
    if (!isPeerSystem(mail.peer, to)) {
      log.warn({ peer: mail.peer.domain, type, to }, `${type} not sent: ${to} is not a system of ${mail.peer.domain}`);
      return Promise.resolve();
    }
    const h: HeaderList = [...this.headers.common(type, env.transactionId ?? this.headers.newTransactionId(), env.messageId)];
    h.push(['X-Mms-Request-Status-Code', status], ['X-Mms-Status-Text', encodeWords(text)], ['From', this.headers.originatorSystem], ['To', to], ...this.headers.mailMeta());
    const raw = writeMail(h, { text: `${type}: ${status}` }).toString('base64');
    const stored = this.responses
      .enqueue({ peer: mail.peer.domain, to, type, raw })
      .then(() => undefined)
      .catch((error: unknown) => log.error({ err: error, peer: mail.peer.domain, type }, `${type} could not be queued`))
      .finally(() => this.pending.delete(stored));
    this.pending.add(stored);
    return stored;
  }

  /** One attempt: sent, refused for good, or thrown to be retried by the queue. */
  private async send(job: ResponseJob, attempt: number): Promise<void> {
    const { transports, stats, ctx } = this.deps;
    const peer = transports.peerFor(job.peer) ?? transports.defaultPeer(job.peer);
    if (!peer) throw new PermanentJobError(`${job.type} not sent: ${job.peer} is no longer a configured MM4 peer`);
    const outcome = await transports.send(peer, { from: this.headers.originatorSystem, to: [job.to], raw: Buffer.from(job.raw, 'base64') });
    if (outcome.status === 'sent') {
      stats.responsesSent += 1;
      return;
    }
    if (outcome.status === 'refused') throw new PermanentJobError(`${job.type} refused by ${peer.domain}: ${outcome.reason}`);
    ctx.log.warn({ peer: peer.domain, type: job.type, attempt, reason: outcome.reason }, `${job.type} not sent; will retry`);
    throw new Error(`${job.type} to ${peer.domain}: ${outcome.reason}`);
  }

  /** Waits a moment for answers still being stored (sending them is the job queue's). */
  async drain(ms = 5000): Promise<void> {
    await Promise.race([Promise.allSettled([...this.pending]), new Promise((r) => setTimeout(r, ms).unref())]);
  }
}
