// Simulated handsets driving several MMSC nodes round-robin over MM1: senders submit to node
// i mod N, the SMSC hands each push to its receiver, which fetches from the Content-Location (the
// node that notified) and answers m-notifyresp-ind to node j mod N. A message is complete when
// that answer is accepted.
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpClient, SimulatedHandset, type SimulatedSmsc, type SubmittedSms } from '@openmmsc/testkit';

export interface LoadCounters {
  accepted: number;
  refused: number;
  completed: number;
  errors: number;
  lastCompletedAt: number;
}

export class RoundRobinLoad {
  readonly c: LoadCounters = { accepted: 0, refused: 0, completed: 0, errors: 0, lastCompletedAt: 0 };
  readonly #senders: SimulatedHandset[] = [];
  readonly #receivers = new Map<string, SimulatedHandset>();
  readonly #senderHttp: HttpClient;
  readonly #receiverHttp: HttpClient;
  readonly #image: Buffer;
  readonly #smsc: SimulatedSmsc;
  readonly #dispatch = (sms: SubmittedSms) => this.#receivers.get(sms.destinationAddr.replace(/\D/g, ''))?.onSms(sms);
  #next = 0;

  constructor(opts: { smsc: SimulatedSmsc; mm1Urls: readonly string[]; pairs: number; concurrency: number; size: number }) {
    this.#smsc = opts.smsc;
    this.#senderHttp = new HttpClient(opts.concurrency + 8);
    this.#receiverHttp = new HttpClient(64);
    this.#image = Buffer.alloc(opts.size);
    for (let i = 0; i < opts.size; i++) this.#image[i] = (i * 131 + 7) & 0xff;
    const url = (i: number) => opts.mm1Urls[i % opts.mm1Urls.length]!;
    for (let i = 0; i < opts.pairs; i++) {
      this.#senders.push(new SimulatedHandset({ msisdn: `+1555000${String(i).padStart(4, '0')}`, mmscUrl: url(i), http: this.#senderHttp, record: false }));
      const msisdn = `+1555100${String(i).padStart(4, '0')}`;
      const receiver = new SimulatedHandset({
        msisdn,
        mmscUrl: url(i + 1),
        http: this.#receiverHttp,
        record: false,
        onEvent: (e) => {
          if (e.type === 'answered' && e.pdu === 'm-notifyresp-ind' && e.httpStatus >= 200 && e.httpStatus < 300) {
            this.c.completed++;
            this.c.lastCompletedAt = performance.now();
          } else if (e.type === 'error') this.c.errors++;
        },
      });
      this.#receivers.set(msisdn.slice(1), receiver);
    }
    opts.smsc.on('submit', this.#dispatch);
  }

  /** One m-send-req from the next sender (round-robin over senders, hence over nodes); resolves with its latency. */
  async sendOne(to?: string): Promise<number> {
    const i = this.#next++ % this.#senders.length;
    const r = await this.#senders[i]!.send({
      to: to ?? `+1555100${String(i).padStart(4, '0')}`,
      text: 'scale bench',
      attachments: [{ contentType: 'image/jpeg', name: 'photo.jpg', data: this.#image }],
    });
    if (r.status === 'ok') this.c.accepted++;
    else this.c.refused++;
    return r.latencyMs;
  }

  /** `concurrency` senders in a closed loop until `ms` has passed; latencies of the m-send-conf. */
  async closedLoop(concurrency: number, ms: number): Promise<number[]> {
    const lat: number[] = [];
    const end = Date.now() + ms;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) lat.push(await this.sendOne());
    }));
    return lat;
  }

  /** Until every accepted message is complete, or `limitMs`. */
  async drain(limitMs: number): Promise<boolean> {
    const until = Date.now() + limitMs;
    while (Date.now() < until && this.c.completed < this.c.accepted) await sleep(50);
    return this.c.completed >= this.c.accepted;
  }

  async close(): Promise<void> {
    this.#smsc.off('submit', this.#dispatch);
    for (const h of [...this.#senders, ...this.#receivers.values()]) await h.close();
    this.#senderHttp.close();
    this.#receiverHttp.close();
  }
}
