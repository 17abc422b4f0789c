// The bearer's view of notify jobs: every WAP Push the simulated SMSC received, put back together
// per sending node and destination, decoded to its m-notification-ind, and keyed by the job it
// belongs to (MM1's transaction id is `<messageId>.<recipient index>.<mac>`).
import { SmsReassembler } from '@openmmsc/codec';
import { decodeNotification, type SimulatedSmsc, type SubmittedSms } from '@openmmsc/testkit';

/** One run of a notify job as the SMSC saw it. */
export interface BearerRun {
  /** system_id of the node that pushed it. */
  node: string;
  /** When its first and last SMS segment arrived (epoch ms). */
  firstAt: number;
  lastAt: number;
  /** When the SMSC answered the last segment: the push is done for the node from then on. */
  answeredAt: number;
}

export class BearerRuns {
  /** Runs per job (`<messageId>.<index>`), in arrival order. */
  readonly byJob = new Map<string, BearerRun[]>();
  undecodable = 0;
  readonly #reassembler = new SmsReassembler();
  readonly #firstSegment = new Map<string, number>();
  readonly #smsc: SimulatedSmsc;
  readonly #listener = (sms: SubmittedSms) => this.#onSubmit(sms);

  constructor(smsc: SimulatedSmsc) {
    this.#smsc = smsc;
    smsc.on('submit', this.#listener);
  }

  close(): void {
    this.#smsc.off('submit', this.#listener);
  }

  #onSubmit(sms: SubmittedSms): void {
    const origin = `${sms.systemId}|${sms.destinationAddr}`;
    if (!this.#firstSegment.has(origin)) this.#firstSegment.set(origin, sms.at);
    const done = this.#reassembler.push(origin, sms.shortMessage, (sms.esmClass & 0x40) !== 0);
    if (!done) return;
    const firstAt = this.#firstSegment.get(origin) ?? sms.at;
    this.#firstSegment.delete(origin);
    let job: string | undefined;
    try {
      const tid = decodeNotification(done.payload).pdu.transactionId ?? '';
      const [messageId, index] = tid.split('.');
      if (messageId && index) job = `${messageId}.${index}`;
    } catch {
      // counted below
    }
    if (!job) {
      this.undecodable++;
      return;
    }
    const run: BearerRun = { node: sms.systemId, firstAt, lastAt: sms.at, answeredAt: sms.at + this.#smsc.responseDelayMs };
    this.byJob.set(job, [...(this.byJob.get(job) ?? []), run]);
  }

  /** Runs of `node` the SMSC had not answered by `at`: jobs that node had in flight then. */
  inFlight(node: string, at: number): string[] {
    const out: string[] = [];
    for (const [job, runs] of this.byJob) if (runs.some((r) => r.node === node && r.firstAt <= at && r.answeredAt > at)) out.push(job);
    return out;
  }

  /** Jobs with a run answered by `at` on a node other than `dead` (or on it before `deadAt`). */
  completed(job: string, dead: string, deadAt: number, at = Date.now()): BearerRun | undefined {
    return this.byJob.get(job)?.find((r) => r.answeredAt <= at && (r.node !== dead || r.answeredAt <= deadAt));
  }
}
