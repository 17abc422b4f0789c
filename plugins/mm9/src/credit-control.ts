import { randomBytes } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import {
  APPLICATION_CREDIT_CONTROL,
  CcRequestType,
  Command,
  type Dictionary,
  SubscriptionIdType,
  dictionary as builtin,
  getNumber,
  makeAvp,
  type Avp,
  type DiameterMessage,
} from '@openmmsc/diameter';
import type { Address, MmsHeaders, Origin, PluginContext } from '@openmmsc/core';
import type { Mm9Options } from './options.js';
import type { PeerPool } from './peer-pool.js';
import { DEFAULT_SERVICE_INFORMATION, renderTemplates, type TemplateVars } from './template.js';

type Logger = PluginContext<unknown>['log'];

export type Verdict = 'accept' | 'no-credit' | 'denied' | 'retry';

export interface CcrInput {
  sessionId: string;
  type: (typeof CcRequestType)[keyof typeof CcRequestType];
  number: number;
  /** Event requests only. */
  action?: number;
  subscriber: Address;
  requestedUnits?: number;
  usedUnits?: number;
  vars: TemplateVars;
  recipients: TemplateVars[];
}

export interface CcrResult {
  resultCode: number;
  verdict: Verdict;
  granted?: number;
  peer: string;
  answer: DiameterMessage;
}

const REQUEST_TYPE_LABEL: Record<number, string> = { 1: 'initial', 2: 'update', 3: 'termination', 4: 'event' };

const ADDRESS_TYPE: Record<Address['type'], string> = {
  plmn: 'MSISDN',
  email: 'EMAIL_ADDRESS',
  ipv4: 'IPV4_ADDRESS',
  ipv6: 'IPV6_ADDRESS',
  shortcode: 'NUMERIC_SHORTCODE',
};

/** What a message contributes to CCR templates. */
export function messageVars(message: { id: string; headers: MmsHeaders; origin: Origin; size: number; receivedAt: number }): TemplateVars {
  const h = message.headers;
  const vasp = message.origin.attributes?.vaspId;
  const vas = message.origin.attributes?.vasId;
  const iface = message.origin.interface;
  return {
    messageId: message.id,
    originator: h.from.value,
    originatorType: ADDRESS_TYPE[h.from.type],
    size: message.size,
    contentType: h.contentType.type,
    messageClass: h.messageClass?.toUpperCase(),
    priority: h.priority?.toUpperCase(),
    submissionTime: new Date(message.receivedAt).toISOString(),
    deliveryReport: h.deliveryReport === undefined ? undefined : h.deliveryReport ? 'YES' : 'NO',
    readReport: h.readReport === undefined ? undefined : h.readReport ? 'YES' : 'NO',
    vaspId: typeof vasp === 'string' || typeof vasp === 'number' ? String(vasp) : undefined,
    vasId: typeof vas === 'string' || typeof vas === 'number' ? String(vas) : undefined,
    interface: iface,
    interfaceType: iface === 'mm1' ? 'MOBILE_ORIGINATING' : iface === 'mm7' ? 'APPLICATION_ORIGINATING' : 'UNKNOWN',
    peer: message.origin.peer,
  };
}

export function recipientVars(address: Address, kind?: 'to' | 'cc' | 'bcc'): TemplateVars {
  return {
    recipient: address.value,
    recipientType: ADDRESS_TYPE[address.type],
    addresseeType: kind ? kind.toUpperCase() : undefined,
  };
}

/** Builds CCRs from the options' templates, sends them through the peer pool and classifies answers. */
export class CreditControl {
  readonly dict: Dictionary;
  private readonly counter: Counter<'type' | 'result'>;
  private readonly sessionHigh = Math.floor(Date.now() / 1000) >>> 0;
  private sessionLow = randomBytes(4).readUInt32BE(0);

  constructor(
    private readonly pool: PeerPool,
    private readonly options: Mm9Options,
    private readonly log: Logger,
    registry: Registry,
  ) {
    // A copy, so an operator's additions never leak into other plugin instances.
    this.dict = builtin.clone();
    for (const d of options.dictionary) this.dict.add(d.vendorId === undefined ? { ...d } : { ...d, vendorId: d.vendorId });
    this.counter = new Counter({
      name: 'openmmsc_mm9_ccr_total',
      help: 'Credit-control requests by CC-Request-Type and outcome',
      labelNames: ['type', 'result'],
      registers: [registry],
    });
  }

  /** RFC 6733 §8.8: `<DiameterIdentity>;<high 32 bits>;<low 32 bits>[;<optional>]`. */
  newSessionId(): string {
    this.sessionLow = (this.sessionLow + 1) >>> 0;
    return `${this.options.originHost};${this.sessionHigh};${this.sessionLow};mm9`;
  }

  subscription(address: Address): Avp {
    let type: number = SubscriptionIdType.END_USER_PRIVATE;
    let data = address.value;
    if (address.type === 'plmn') {
      type = SubscriptionIdType.END_USER_E164;
      if (this.options.subscriptionId.msisdn === 'digits') data = data.replace(/^\+/, '');
    } else if (address.type === 'email') type = SubscriptionIdType.END_USER_NAI;
    return makeAvp('Subscription-Id', [makeAvp('Subscription-Id-Type', type), makeAvp('Subscription-Id-Data', data)], this.dict);
  }

  build(input: CcrInput): Omit<DiameterMessage, 'hopByHop' | 'endToEnd'> {
    const o = this.options;
    const d = this.dict;
    const units = (name: string, n: number): Avp => makeAvp(name, [makeAvp('CC-Service-Specific-Units', n, d)], d);
    const mscc: Avp[] = [];
    if (input.requestedUnits !== undefined) mscc.push(units('Requested-Service-Unit', input.requestedUnits));
    if (input.usedUnits !== undefined) mscc.push(units('Used-Service-Unit', input.usedUnits));
    if (o.serviceIdentifier !== undefined) mscc.push(makeAvp('Service-Identifier', o.serviceIdentifier, d));
    if (o.ratingGroup !== undefined) mscc.push(makeAvp('Rating-Group', o.ratingGroup, d));
    const avps: Avp[] = [
      makeAvp('Session-Id', input.sessionId, d),
      makeAvp('Origin-Host', o.originHost, d),
      makeAvp('Origin-Realm', o.originRealm, d),
      makeAvp('Destination-Realm', o.destinationRealm, d),
      makeAvp('Auth-Application-Id', APPLICATION_CREDIT_CONTROL, d),
      makeAvp('Service-Context-Id', o.serviceContextId, d),
      makeAvp('CC-Request-Type', input.type, d),
      makeAvp('CC-Request-Number', input.number, d),
    ];
    if (o.destinationHost) avps.push(makeAvp('Destination-Host', o.destinationHost, d));
    avps.push(makeAvp('Event-Timestamp', new Date(), d));
    avps.push(this.subscription(input.subscriber));
    if (input.action !== undefined) avps.push(makeAvp('Requested-Action', input.action, d));
    if (mscc.length) {
      avps.push(makeAvp('Multiple-Services-Indicator', 1, d));
      avps.push(makeAvp('Multiple-Services-Credit-Control', mscc, d));
    }
    const info = o.serviceInformation === 'default' ? DEFAULT_SERVICE_INFORMATION : o.serviceInformation === 'none' ? [] : o.serviceInformation;
    const vars: TemplateVars = {
      ...input.vars,
      chargedParty: input.subscriber.value,
      units: input.requestedUnits ?? input.usedUnits,
      sessionId: input.sessionId,
    };
    avps.push(...renderTemplates(info, vars, input.recipients, d));
    avps.push(...renderTemplates(o.extraAvps, vars, input.recipients, d));
    return { commandCode: Command.CreditControl, applicationId: APPLICATION_CREDIT_CONTROL, flags: { request: true, proxiable: true, error: false, retransmit: false }, avps };
  }

  classify(resultCode: number): Verdict {
    const { accept, noCredit } = this.options.resultCodes;
    if (accept.includes(resultCode)) return 'accept';
    if (noCredit.includes(resultCode)) return 'no-credit';
    if (resultCode >= 3000 && resultCode < 4000) return 'retry';
    return 'denied';
  }

  /** Sends one CCR; throws `OcsUnreachableError` when no peer answers. */
  async send(input: CcrInput): Promise<CcrResult> {
    const label = REQUEST_TYPE_LABEL[input.type] ?? String(input.type);
    let result: { answer: DiameterMessage; peer: string };
    try {
      result = await this.pool.request(this.build(input), this.options.timeouts.requestMs, this.options.timeouts.waitForPeerMs);
    } catch (error) {
      this.counter.inc({ type: label, result: 'unreachable' });
      throw error;
    }
    const { answer, peer } = result;
    const resultCode = getNumber(answer.avps, 'Result-Code', this.dict) ?? getNumber(answer.avps, 'Experimental-Result/Experimental-Result-Code', this.dict) ?? 0;
    const verdict = this.classify(resultCode);
    this.counter.inc({ type: label, result: String(resultCode) });
    const granted = getNumber(answer.avps, 'Multiple-Services-Credit-Control/Granted-Service-Unit/CC-Service-Specific-Units', this.dict);
    this.log.debug({ sessionId: input.sessionId, type: label, resultCode, peer }, 'CCA');
    return granted === undefined ? { resultCode, verdict, peer, answer } : { resultCode, verdict, peer, answer, granted };
  }
}
