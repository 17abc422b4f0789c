/**
 * The subset of Diameter dictionaries OpenMMSC needs: base protocol (RFC 6733), credit control
 * (RFC 4006) and the 3GPP Ro / MMS charging AVPs (TS 32.299, vendor 10415). Codes and enumerated
 * values are the assigned numbers of those specifications.
 */

export type AvpType =
  | 'OctetString'
  | 'UTF8String'
  | 'DiameterIdentity'
  | 'DiameterURI'
  | 'Integer32'
  | 'Integer64'
  | 'Unsigned32'
  | 'Unsigned64'
  | 'Enumerated'
  | 'Time'
  | 'Address'
  | 'Grouped';

export interface AvpDefinition {
  name: string;
  code: number;
  vendorId?: number;
  type: AvpType;
  /** M bit to set when sending (the specifications' "must"). */
  mandatory: boolean;
  /** Symbolic values of an Enumerated AVP. */
  values?: Readonly<Record<string, number>>;
}

export const VENDOR_3GPP = 10415;
export const APPLICATION_CREDIT_CONTROL = 4;
export const APPLICATION_COMMON = 0;

export const Command = {
  CapabilitiesExchange: 257,
  DeviceWatchdog: 280,
  DisconnectPeer: 282,
  CreditControl: 272,
} as const;

export const ResultCode = {
  SUCCESS: 2001,
  LIMITED_SUCCESS: 2002,
  COMMAND_UNSUPPORTED: 3001,
  UNABLE_TO_DELIVER: 3002,
  TOO_BUSY: 3004,
  APPLICATION_UNSUPPORTED: 3007,
  END_USER_SERVICE_DENIED: 4010,
  CREDIT_CONTROL_NOT_APPLICABLE: 4011,
  CREDIT_LIMIT_REACHED: 4012,
  AVP_UNSUPPORTED: 5001,
  UNKNOWN_SESSION_ID: 5002,
  INVALID_AVP_VALUE: 5004,
  MISSING_AVP: 5005,
  NO_COMMON_APPLICATION: 5010,
  UNABLE_TO_COMPLY: 5012,
  USER_UNKNOWN: 5030,
  RATING_FAILED: 5031,
} as const;

export const CcRequestType = { INITIAL_REQUEST: 1, UPDATE_REQUEST: 2, TERMINATION_REQUEST: 3, EVENT_REQUEST: 4 } as const;
export const RequestedAction = { DIRECT_DEBITING: 0, REFUND_ACCOUNT: 1, CHECK_BALANCE: 2, PRICE_ENQUIRY: 3 } as const;
export const SubscriptionIdType = { END_USER_E164: 0, END_USER_IMSI: 1, END_USER_SIP_URI: 2, END_USER_NAI: 3, END_USER_PRIVATE: 4 } as const;
export const DisconnectCause = { REBOOTING: 0, BUSY: 1, DO_NOT_WANT_TO_TALK_TO_YOU: 2 } as const;

const G = VENDOR_3GPP;
const list: AvpDefinition[] = [
  // RFC 6733 base protocol
  { name: 'User-Name', code: 1, type: 'UTF8String', mandatory: true },
  { name: 'Event-Timestamp', code: 55, type: 'Time', mandatory: true },
  { name: 'Host-IP-Address', code: 257, type: 'Address', mandatory: true },
  { name: 'Auth-Application-Id', code: 258, type: 'Unsigned32', mandatory: true },
  { name: 'Acct-Application-Id', code: 259, type: 'Unsigned32', mandatory: true },
  { name: 'Vendor-Specific-Application-Id', code: 260, type: 'Grouped', mandatory: true },
  { name: 'Session-Id', code: 263, type: 'UTF8String', mandatory: true },
  { name: 'Origin-Host', code: 264, type: 'DiameterIdentity', mandatory: true },
  { name: 'Supported-Vendor-Id', code: 265, type: 'Unsigned32', mandatory: true },
  { name: 'Vendor-Id', code: 266, type: 'Unsigned32', mandatory: true },
  { name: 'Firmware-Revision', code: 267, type: 'Unsigned32', mandatory: false },
  { name: 'Result-Code', code: 268, type: 'Unsigned32', mandatory: true },
  { name: 'Product-Name', code: 269, type: 'UTF8String', mandatory: false },
  { name: 'Disconnect-Cause', code: 273, type: 'Enumerated', mandatory: true, values: DisconnectCause },
  { name: 'Auth-Request-Type', code: 274, type: 'Enumerated', mandatory: true },
  { name: 'Origin-State-Id', code: 278, type: 'Unsigned32', mandatory: true },
  { name: 'Failed-AVP', code: 279, type: 'Grouped', mandatory: true },
  { name: 'Error-Message', code: 281, type: 'UTF8String', mandatory: false },
  { name: 'Route-Record', code: 282, type: 'DiameterIdentity', mandatory: true },
  { name: 'Destination-Realm', code: 283, type: 'DiameterIdentity', mandatory: true },
  { name: 'Destination-Host', code: 293, type: 'DiameterIdentity', mandatory: true },
  { name: 'Termination-Cause', code: 295, type: 'Enumerated', mandatory: true },
  { name: 'Origin-Realm', code: 296, type: 'DiameterIdentity', mandatory: true },
  { name: 'Experimental-Result', code: 297, type: 'Grouped', mandatory: true },
  { name: 'Experimental-Result-Code', code: 298, type: 'Unsigned32', mandatory: true },
  { name: 'Inband-Security-Id', code: 299, type: 'Unsigned32', mandatory: true },
  // RFC 4006 credit control
  { name: 'CC-Money', code: 413, type: 'Grouped', mandatory: true },
  { name: 'CC-Request-Number', code: 415, type: 'Unsigned32', mandatory: true },
  { name: 'CC-Request-Type', code: 416, type: 'Enumerated', mandatory: true, values: CcRequestType },
  { name: 'CC-Service-Specific-Units', code: 417, type: 'Unsigned64', mandatory: true },
  { name: 'CC-Session-Failover', code: 418, type: 'Enumerated', mandatory: true, values: { FAILOVER_NOT_SUPPORTED: 0, FAILOVER_SUPPORTED: 1 } },
  { name: 'CC-Time', code: 420, type: 'Unsigned32', mandatory: true },
  { name: 'CC-Total-Octets', code: 421, type: 'Unsigned64', mandatory: true },
  { name: 'Check-Balance-Result', code: 422, type: 'Enumerated', mandatory: true, values: { ENOUGH_CREDIT: 0, NO_CREDIT: 1 } },
  { name: 'Cost-Information', code: 423, type: 'Grouped', mandatory: true },
  { name: 'Currency-Code', code: 425, type: 'Unsigned32', mandatory: true },
  { name: 'Credit-Control-Failure-Handling', code: 427, type: 'Enumerated', mandatory: true, values: { TERMINATE: 0, CONTINUE: 1, RETRY_AND_TERMINATE: 2 } },
  { name: 'Direct-Debiting-Failure-Handling', code: 428, type: 'Enumerated', mandatory: true, values: { TERMINATE_OR_BUFFER: 0, CONTINUE: 1 } },
  { name: 'Exponent', code: 429, type: 'Integer32', mandatory: true },
  { name: 'Final-Unit-Indication', code: 430, type: 'Grouped', mandatory: true },
  { name: 'Granted-Service-Unit', code: 431, type: 'Grouped', mandatory: true },
  { name: 'Rating-Group', code: 432, type: 'Unsigned32', mandatory: true },
  { name: 'Requested-Action', code: 436, type: 'Enumerated', mandatory: true, values: RequestedAction },
  { name: 'Requested-Service-Unit', code: 437, type: 'Grouped', mandatory: true },
  { name: 'Service-Identifier', code: 439, type: 'Unsigned32', mandatory: true },
  { name: 'Subscription-Id', code: 443, type: 'Grouped', mandatory: true },
  { name: 'Subscription-Id-Data', code: 444, type: 'UTF8String', mandatory: true },
  { name: 'Unit-Value', code: 445, type: 'Grouped', mandatory: true },
  { name: 'Used-Service-Unit', code: 446, type: 'Grouped', mandatory: true },
  { name: 'Value-Digits', code: 447, type: 'Integer64', mandatory: true },
  { name: 'Validity-Time', code: 448, type: 'Unsigned32', mandatory: true },
  { name: 'Final-Unit-Action', code: 449, type: 'Enumerated', mandatory: true, values: { TERMINATE: 0, REDIRECT: 1, RESTRICT_ACCESS: 2 } },
  { name: 'Subscription-Id-Type', code: 450, type: 'Enumerated', mandatory: true, values: SubscriptionIdType },
  { name: 'Multiple-Services-Indicator', code: 455, type: 'Enumerated', mandatory: true, values: { MULTIPLE_SERVICES_NOT_SUPPORTED: 0, MULTIPLE_SERVICES_SUPPORTED: 1 } },
  { name: 'Multiple-Services-Credit-Control', code: 456, type: 'Grouped', mandatory: true },
  { name: 'Service-Context-Id', code: 461, type: 'UTF8String', mandatory: true },
  // 3GPP TS 32.299 (vendor 10415)
  { name: 'Charged-Party', code: 857, vendorId: G, type: 'UTF8String', mandatory: true },
  { name: 'Service-Information', code: 873, vendorId: G, type: 'Grouped', mandatory: true },
  { name: 'MMS-Information', code: 877, vendorId: G, type: 'Grouped', mandatory: true },
  { name: 'Originator-Address', code: 886, vendorId: G, type: 'Grouped', mandatory: true },
  { name: 'Address-Data', code: 897, vendorId: G, type: 'UTF8String', mandatory: true },
  { name: 'Address-Domain', code: 898, vendorId: G, type: 'Grouped', mandatory: true },
  {
    name: 'Address-Type', code: 899, vendorId: G, type: 'Enumerated', mandatory: true,
    values: { EMAIL_ADDRESS: 0, MSISDN: 1, IPV4_ADDRESS: 2, IPV6_ADDRESS: 3, NUMERIC_SHORTCODE: 4, ALPHANUMERIC_SHORTCODE: 5, OTHER: 6, IMSI: 7 },
  },
  { name: 'VASP-Id', code: 1101, vendorId: G, type: 'UTF8String', mandatory: true },
  { name: 'VAS-Id', code: 1102, vendorId: G, type: 'UTF8String', mandatory: true },
  { name: 'Recipient-Address', code: 1201, vendorId: G, type: 'Grouped', mandatory: true },
  { name: 'Submission-Time', code: 1202, vendorId: G, type: 'Time', mandatory: true },
  { name: 'MM-Content-Type', code: 1203, vendorId: G, type: 'Grouped', mandatory: true },
  { name: 'Type-Number', code: 1204, vendorId: G, type: 'Enumerated', mandatory: true },
  { name: 'Additional-Type-Information', code: 1205, vendorId: G, type: 'UTF8String', mandatory: true },
  { name: 'Content-Size', code: 1206, vendorId: G, type: 'Unsigned32', mandatory: true },
  { name: 'Addressee-Type', code: 1208, vendorId: G, type: 'Enumerated', mandatory: true, values: { TO: 0, CC: 1, BCC: 2 } },
  { name: 'Priority', code: 1209, vendorId: G, type: 'Enumerated', mandatory: true, values: { LOW: 0, NORMAL: 1, HIGH: 2 } },
  { name: 'Message-ID', code: 1210, vendorId: G, type: 'UTF8String', mandatory: true },
  {
    name: 'Message-Type', code: 1211, vendorId: G, type: 'Enumerated', mandatory: true,
    values: { 'm-send-req': 1, 'm-send-conf': 2, 'm-notification-ind': 3, 'm-notifyresp-ind': 4, 'm-retrieve-conf': 5, 'm-acknowledge-ind': 6, 'm-delivery-ind': 7, 'm-read-rec-ind': 8, 'm-read-orig-ind': 9, 'm-forward-req': 10, 'm-forward-conf': 11 },
  },
  { name: 'Message-Size', code: 1212, vendorId: G, type: 'Unsigned32', mandatory: true },
  { name: 'Message-Class', code: 1213, vendorId: G, type: 'Grouped', mandatory: true },
  { name: 'Class-Identifier', code: 1214, vendorId: G, type: 'Enumerated', mandatory: true, values: { PERSONAL: 0, ADVERTISEMENT: 1, INFORMATIONAL: 2, AUTO: 3 } },
  { name: 'Token-Text', code: 1215, vendorId: G, type: 'UTF8String', mandatory: true },
  { name: 'Delivery-Report-Requested', code: 1216, vendorId: G, type: 'Enumerated', mandatory: true, values: { NO: 0, YES: 1 } },
  { name: 'Applic-ID', code: 1218, vendorId: G, type: 'UTF8String', mandatory: true },
  { name: 'Content-Class', code: 1220, vendorId: G, type: 'Enumerated', mandatory: true },
  { name: 'Read-Reply-Report-Requested', code: 1222, vendorId: G, type: 'Enumerated', mandatory: true, values: { NO: 0, YES: 1 } },
  { name: 'Interface-Id', code: 2003, vendorId: G, type: 'UTF8String', mandatory: true },
  { name: 'Interface-Text', code: 2005, vendorId: G, type: 'UTF8String', mandatory: true },
  {
    name: 'Interface-Type', code: 2006, vendorId: G, type: 'Enumerated', mandatory: true,
    values: { UNKNOWN: 0, MOBILE_ORIGINATING: 1, MOBILE_TERMINATING: 2, APPLICATION_ORIGINATING: 3, APPLICATION_TERMINATION: 4 },
  },
  { name: 'Originator-Interface', code: 2009, vendorId: G, type: 'Grouped', mandatory: true },
  { name: 'Recipient-Info', code: 2026, vendorId: G, type: 'Grouped', mandatory: true },
];

export class Dictionary {
  private readonly byName = new Map<string, AvpDefinition>();
  private readonly byCode = new Map<string, AvpDefinition>();

  constructor(definitions: Iterable<AvpDefinition> = list) {
    for (const d of definitions) this.add(d);
  }

  /** Adds (or replaces) a definition: operators' OCSs often want AVPs of their own. */
  add(definition: AvpDefinition): void {
    this.byName.set(definition.name.toLowerCase(), definition);
    this.byCode.set(`${definition.vendorId ?? 0}:${definition.code}`, definition);
  }

  get(name: string): AvpDefinition {
    const d = this.byName.get(name.toLowerCase());
    if (!d) throw new Error(`unknown Diameter AVP ${JSON.stringify(name)} (add it to the dictionary with its code, vendor and type)`);
    return d;
  }

  /** Every definition, for copying. */
  all(): AvpDefinition[] {
    return [...this.byName.values()];
  }

  /** A copy to extend without touching this one. */
  clone(): Dictionary {
    return new Dictionary(this.all());
  }

  find(name: string): AvpDefinition | undefined {
    return this.byName.get(name.toLowerCase());
  }

  byCodeOf(code: number, vendorId?: number): AvpDefinition | undefined {
    return this.byCode.get(`${vendorId ?? 0}:${code}`);
  }
}

/** The built-in dictionary (base + credit control + 3GPP MMS charging subset). */
export const dictionary = new Dictionary();
