import { EventEmitter } from 'node:events';
import {
  SmsReassembler,
  WAP_PUSH_PORT,
  decodePdu,
  decodeWapPush,
  encodePduVectored,
  isMmsPush,
  partText,
  type DeliveryInd,
  type EncodedChunks,
  type ForwardReq,
  type MmsPdu,
  type NotificationInd,
  type NotifyRespStatus,
  type ReadOrigInd,
  type ReadRecInd,
  type RetrieveConf,
  type SendReq,
} from '@openmmsc/codec';
import { decodeSmsText } from './gsm7.js';
import { HttpClient, type HttpResult } from './http-client.js';
import type { HandsetSms, SmsSource, HandsetMode, SimulatedHandsetOptions, HandsetEvent, ReceivedNotification, ReceivedMessage, SendSpec, SendResult, ForwardResult } from './handset-types.js';
import { buildSendReq, mmsAddress, newTransactionId } from './send-req.js';

/**
 * A simulated MMS handset: sends m-send-req over HTTP with the MSISDN header a WAP gateway adds,
 * receives WAP Push over the simulated SMSC (reassembling concatenated SMS), fetches, answers with
 * m-notifyresp-ind / m-acknowledge-ind, sends read reports and forwards.
 */
export class SimulatedHandset extends EventEmitter {
  readonly msisdn: string;
  readonly mmscUrl: string;
  mode: HandsetMode;
  readonly notifications: ReceivedNotification[] = [];
  readonly messages: ReceivedMessage[] = [];
  readonly deliveryReports: DeliveryInd[] = [];
  readonly readReports: ReadOrigInd[] = [];
  readonly texts: string[] = [];
  readonly errors: Error[] = [];

  private readonly digits: string;
  private readonly reassembler = new SmsReassembler({ timeoutMs: 60_000 });
  private readonly http: HttpClient;
  private readonly ownHttp: boolean;
  private readonly header: string | null;
  private readonly version: string;
  private smsc: SmsSource | undefined;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly listener = (sms: HandsetSms) => this.onSms(sms);
  private readonly onEvent: ((event: HandsetEvent) => void) | undefined;
  private readonly record: boolean;

  constructor(opts: SimulatedHandsetOptions) {
    super();
    this.digits = opts.msisdn.replace(/\D/g, '');
    this.msisdn = `+${this.digits}`;
    this.mmscUrl = opts.mmscUrl;
    this.mode = opts.mode ?? 'immediate';
    this.header = opts.msisdnHeader === undefined ? 'X-WAP-Network-Client-MSISDN' : opts.msisdnHeader;
    this.version = opts.mmsVersion ?? '1.2';
    this.ownHttp = !opts.http;
    this.http = opts.http ?? new HttpClient(4);
    this.onEvent = opts.onEvent;
    this.record = opts.record !== false;
    if (opts.smsc) this.attach(opts.smsc);
  }

  /** Starts listening to an SMSC's submits (only those addressed to this handset). */
  attach(smsc: SmsSource): void {
    this.detach();
    this.smsc = smsc;
    smsc.on('submit', this.listener);
  }

  detach(): void {
    if (!this.smsc) return;
    if (this.smsc.off) this.smsc.off('submit', this.listener);
    else this.smsc.removeListener?.('submit', this.listener);
    this.smsc = undefined;
  }

  /** Waits for what the handset is doing, then stops listening and closes its connections. */
  async close(): Promise<void> {
    this.detach();
    await this.idle();
    if (this.ownHttp) this.http.close();
  }

  /** Resolves when every automatic step started so far has finished. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private emitEvent(event: HandsetEvent): void {
    this.onEvent?.(event);
    this.emit(event.type, event);
  }

  private track<T>(p: Promise<T>): void {
    const tracked = p.catch((error: unknown) => {
      const e = error instanceof Error ? error : new Error(String(error));
      this.errors.push(e);
      this.emitEvent({ type: 'error', handset: this.msisdn, error: e });
    });
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private identityHeaders(): Record<string, string> {
    return this.header ? { [this.header]: this.digits } : {};
  }

  // --- receiving --------------------------------------------------------------------------

  /** One SMS from the SMSC: kept only if it is for this handset. */
  onSms(sms: HandsetSms): void {
    if (sms.destinationAddr.replace(/\D/g, '') !== this.digits) return;
    const data = sms.messagePayload && sms.messagePayload.length ? sms.messagePayload : sms.shortMessage;
    if (!data) return;
    const udhi = ((sms.esmClass ?? 0) & 0x40) !== 0;
    this.deliverSms(data, { udhi, dataCoding: sms.dataCoding ?? 0, originator: sms.sourceAddr ?? 'smsc' });
  }

  /** TP-User-Data of one SMS (with its UDH when `udhi`), as the radio would give it. */
  deliverSms(userData: Uint8Array, opts: { udhi: boolean; dataCoding?: number; originator?: string }): void {
    try {
      if (!opts.udhi) {
        const text = decodeSmsText(userData, opts.dataCoding ?? 0);
        if (this.record) this.texts.push(text);
        this.emitEvent({ type: 'text', handset: this.msisdn, text });
        return;
      }
      const done = this.reassembler.push(opts.originator ?? 'smsc', userData, true);
      if (!done) return;
      if (done.ports && done.ports.destination !== WAP_PUSH_PORT) return;
      if (!done.ports) {
        const text = decodeSmsText(done.payload, opts.dataCoding ?? 0);
        if (this.record) this.texts.push(text);
        this.emitEvent({ type: 'text', handset: this.msisdn, text });
        return;
      }
      this.deliverWapPush(done.payload);
    } catch (error) {
      this.errors.push(error as Error);
      this.emitEvent({ type: 'error', handset: this.msisdn, error: error as Error });
    }
  }

  /** A complete WSP push PDU (what a push bearer built), bypassing SMS. */
  deliverWapPush(buf: Uint8Array): void {
    const push = decodeWapPush(buf);
    if (!isMmsPush(push)) return;
    const pdu = decodePdu(push.body);
    switch (pdu.messageType) {
      case 'm-notification-ind': {
        if (this.record) this.notifications.push({ pdu, push, at: Date.now() });
        this.emitEvent({ type: 'notification', handset: this.msisdn, pdu });
        this.track(this.react(pdu));
        return;
      }
      case 'm-delivery-ind':
        if (this.record) this.deliveryReports.push(pdu);
        this.emitEvent({ type: 'delivery-report', handset: this.msisdn, pdu });
        return;
      case 'm-read-orig-ind':
        if (this.record) this.readReports.push(pdu);
        this.emitEvent({ type: 'read-report', handset: this.msisdn, pdu });
        return;
      default:
        return;
    }
  }

  /** A plain text SMS (a web link for handsets without MMS). */
  deliverText(text: string): void {
    if (this.record) this.texts.push(text);
    this.emitEvent({ type: 'text', handset: this.msisdn, text });
  }

  private async react(n: NotificationInd): Promise<void> {
    switch (this.mode) {
      case 'immediate': {
        await this.fetch(n);
        await this.notifyResp(n, 'retrieved');
        return;
      }
      case 'fetch-acknowledge': {
        const got = await this.fetch(n);
        if (got.pdu.transactionId) await this.acknowledge(got.pdu.transactionId);
        return;
      }
      case 'defer':
        await this.notifyResp(n, 'deferred');
        return;
      case 'reject':
        await this.notifyResp(n, 'rejected');
        return;
      case 'unrecognised':
        await this.notifyResp(n, 'unrecognised');
        return;
      default:
        return;
    }
  }

  // --- MM1 requests -----------------------------------------------------------------------

  private async post(pdu: MmsPdu): Promise<HttpResult> {
    return this.http.send(this.mmscUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.wap.mms-message', ...this.identityHeaders() },
      body: encodePduVectored(pdu, { lenient: true }),
    });
  }

  /** GETs a notification's content location; the message is kept in `messages`. */
  async fetch(n: NotificationInd | string): Promise<ReceivedMessage> {
    const url = typeof n === 'string' ? n : n.contentLocation;
    if (!url) throw new Error('notification has no content location');
    const res = await this.http.send(url, { headers: this.identityHeaders() });
    const pdu = decodePdu(res.body);
    if (pdu.messageType !== 'm-retrieve-conf') throw new Error(`GET ${url} answered ${pdu.messageType}`);
    const parts = pdu.body?.parts ?? [];
    const texts = parts.filter((p) => p.contentType.type === 'text/plain').map((p) => partText(p));
    const message: ReceivedMessage = { pdu, texts, parts, httpStatus: res.status };
    if (typeof n !== 'string') message.notification = n;
    if (res.status === 200) {
      if (this.record) this.messages.push(message);
      this.emitEvent({ type: 'retrieved', handset: this.msisdn, message });
    }
    return message;
  }

  async notifyResp(n: NotificationInd | string, status: NotifyRespStatus, reportAllowed?: boolean): Promise<number> {
    const transactionId = typeof n === 'string' ? n : (n.transactionId ?? '');
    const pdu: MmsPdu = { messageType: 'm-notifyresp-ind', transactionId, mmsVersion: this.version, status };
    if (reportAllowed !== undefined) pdu.reportAllowed = reportAllowed;
    const res = await this.post(pdu);
    this.emitEvent({ type: 'answered', handset: this.msisdn, pdu: 'm-notifyresp-ind', status, httpStatus: res.status });
    return res.status;
  }

  async acknowledge(transactionId: string, reportAllowed?: boolean): Promise<number> {
    const pdu: MmsPdu = { messageType: 'm-acknowledge-ind', transactionId, mmsVersion: this.version };
    if (reportAllowed !== undefined) pdu.reportAllowed = reportAllowed;
    const res = await this.post(pdu);
    this.emitEvent({ type: 'answered', handset: this.msisdn, pdu: 'm-acknowledge-ind', httpStatus: res.status });
    return res.status;
  }

  /** Builds the m-send-req a handset would write. */
  buildSendReq(spec: SendSpec): SendReq {
    return buildSendReq(spec, this.version);
  }

  /** Sends an MMS (m-send-req) and returns the m-send-conf. */
  async send(spec: SendSpec): Promise<SendResult> {
    return this.sendPdu(this.buildSendReq(spec));
  }

  async sendPdu(pdu: MmsPdu): Promise<SendResult> {
    // The parts go out as they are: the load generator does not copy each message it sends.
    return this.sendRaw(encodePduVectored(pdu, { lenient: true }));
  }

  /** POSTs any bytes (or encoded chunks) as an m-send-req would go, and decodes the answer. */
  async sendRaw(body: Uint8Array | EncodedChunks): Promise<SendResult> {
    const started = performance.now();
    const res = await this.http.send(this.mmscUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.wap.mms-message', ...this.identityHeaders() },
      body,
    });
    const result: SendResult = { httpStatus: res.status, latencyMs: performance.now() - started };
    try {
      const conf = decodePdu(res.body);
      if (conf.messageType === 'm-send-conf') {
        result.conf = conf;
        if (conf.responseStatus !== undefined) result.status = String(conf.responseStatus);
        if (conf.messageId) result.messageId = conf.messageId;
        if (conf.responseText) result.text = conf.responseText.text;
      }
    } catch {
      // not a PDU: the caller looks at httpStatus
    }
    this.emitEvent({ type: 'sent', handset: this.msisdn, result });
    return result;
  }

  /** Sends a read report (m-read-rec-ind) for a message this handset received. */
  async sendReadReport(message: ReceivedMessage | RetrieveConf, status: 'read' | 'deleted-without-being-read' = 'read'): Promise<number> {
    const pdu = 'pdu' in message ? message.pdu : message;
    if (!pdu.messageId || !pdu.from) throw new Error('the message has no Message-ID or From to report to');
    const rec: ReadRecInd = {
      messageType: 'm-read-rec-ind',
      mmsVersion: this.version,
      messageId: pdu.messageId,
      to: [pdu.from],
      from: { address: '', insertAddress: true },
      date: new Date(),
      readStatus: status,
    };
    const res = await this.post(rec);
    this.emitEvent({ type: 'answered', handset: this.msisdn, pdu: 'm-read-rec-ind', status, httpStatus: res.status });
    return res.status;
  }

  /** Forwards a message held on the MMSC (m-forward-req with its content location). */
  async forward(n: NotificationInd | string, to: string | string[], opts: { deliveryReport?: boolean; reportAllowed?: boolean } = {}): Promise<ForwardResult> {
    const contentLocation = typeof n === 'string' ? n : (n.contentLocation ?? '');
    const req: ForwardReq = {
      messageType: 'm-forward-req',
      transactionId: newTransactionId('f'),
      mmsVersion: this.version,
      from: { address: '', insertAddress: true },
      to: (Array.isArray(to) ? to : [to]).map(mmsAddress),
      contentLocation,
    };
    if (opts.deliveryReport !== undefined) req.deliveryReport = opts.deliveryReport;
    if (opts.reportAllowed !== undefined) req.reportAllowed = opts.reportAllowed;
    const res = await this.post(req);
    const result: ForwardResult = { httpStatus: res.status };
    try {
      const conf = decodePdu(res.body);
      if (conf.messageType === 'm-forward-conf') {
        result.conf = conf;
        if (conf.responseStatus !== undefined) result.status = String(conf.responseStatus);
        if (conf.messageId) result.messageId = conf.messageId;
      }
    } catch {
      // not a PDU
    }
    return result;
  }

  // --- waiting ----------------------------------------------------------------------------

  private waitIn<T>(what: string, list: readonly T[], event: string, match: (x: T) => boolean, timeoutMs: number): Promise<T> {
    const found = list.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const onEvent = () => {
        const hit = list.find(match);
        if (hit === undefined) return;
        cleanup();
        resolve(hit);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.msisdn}: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off(event, onEvent);
      };
      this.on(event, onEvent);
    });
  }

  waitForNotification(match: (n: NotificationInd) => boolean = () => true, timeoutMs = 10_000): Promise<NotificationInd> {
    return this.waitIn('a notification', this.notifications, 'notification', (n) => match(n.pdu), timeoutMs).then((n) => n.pdu);
  }

  waitForMessage(match: (m: ReceivedMessage) => boolean = () => true, timeoutMs = 10_000): Promise<ReceivedMessage> {
    return this.waitIn('a retrieved message', this.messages, 'retrieved', match, timeoutMs);
  }

  waitForDeliveryReport(match: (r: DeliveryInd) => boolean = () => true, timeoutMs = 10_000): Promise<DeliveryInd> {
    return this.waitIn('a delivery report', this.deliveryReports, 'delivery-report', match, timeoutMs);
  }

  waitForReadReport(match: (r: ReadOrigInd) => boolean = () => true, timeoutMs = 10_000): Promise<ReadOrigInd> {
    return this.waitIn('a read report', this.readReports, 'read-report', match, timeoutMs);
  }

  waitForText(match: (t: string) => boolean = () => true, timeoutMs = 10_000): Promise<string> {
    return this.waitIn('a text SMS', this.texts, 'text', match, timeoutMs);
  }
}
