/**
 * The ten MM7 schema releases of 3GPP TS 23.140 and what differs between them, as far as the
 * messages we read and write are concerned. Facts come from the XSDs themselves
 * (`REL-5-MM7-1-0.xsd` … `REL-6-MM7-1-4.xsd`).
 */

export const RELEASE_NAMES = [
  'REL-5-MM7-1-0',
  'REL-5-MM7-1-1',
  'REL-5-MM7-1-2',
  'REL-5-MM7-1-3',
  'REL-5-MM7-1-4',
  'REL-6-MM7-1-0',
  'REL-6-MM7-1-1',
  'REL-6-MM7-1-2',
  'REL-6-MM7-1-3',
  'REL-6-MM7-1-4',
] as const;

export type ReleaseName = (typeof RELEASE_NAMES)[number];

export const NAMESPACE_BASE = 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/';
export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_ENV_NS = 'http://www.w3.org/2003/05/soap-envelope';

export interface Release {
  readonly name: ReleaseName;
  readonly namespace: string;
  /** MM7Version values the schema's versionType enumerates; the first is the one we send. */
  readonly versions: readonly string[];
  /** TransactionID, MessageID, VASPID, Number and ShortCode are NMTOKENs (no `+`, no spaces, no attributes on TransactionID). */
  readonly nmtokens: boolean;
  /** SubmitRsp carries MessageID (absent from REL-5-MM7-1-0). */
  readonly submitRspMessageId: boolean;
  /** DeliverRsp may carry ServiceCode. */
  readonly deliverRspServiceCode: boolean;
  /** `DistributionProtection` (REL-5-MM7-1-0) or `DistributionIndicator`. */
  readonly distributionElement: 'DistributionProtection' | 'DistributionIndicator';
  /** SenderIdentification/SenderAddress is a plain string (REL-5-MM7-1-0/1-1) or an address element. */
  readonly senderAddressIsString: boolean;
  /** DeliverReq requires ReplyChargingID (REL-5-MM7-1-0/1-1). */
  readonly deliverReplyChargingIdRequired: boolean;
  /** The date element of DeliveryReportReq: the releases disagree. */
  readonly deliveryReportDate: 'Date' | 'TimeStamp';
  readonly deliveryStatuses: readonly string[];
  readonly chargedParties: readonly string[];
  /** REL-6: ChargedPartyID, MMStatusExtension, Previouslysentby, address attributes. */
  readonly rel6: boolean;
  /** REL-6-MM7-1-3+: DeliveryCondition. */
  readonly deliveryCondition: boolean;
  /** REL-6-MM7-1-4: ApplicID & co, ContentClass, DRMContent, VASPID in DeliverReq, extended cancel/replace. */
  readonly rel614: boolean;
}

const BASE_STATUSES = ['Expired', 'Retrieved', 'Rejected', 'Indeterminate', 'Forwarded'];

function release(name: ReleaseName, versions: string[], extra: Partial<Release> = {}): Release {
  const index = RELEASE_NAMES.indexOf(name);
  const rel6 = name.startsWith('REL-6');
  const r61 = RELEASE_NAMES.indexOf('REL-6-MM7-1-1');
  return {
    name,
    namespace: NAMESPACE_BASE + name,
    versions,
    nmtokens: index <= 1,
    submitRspMessageId: index >= 1,
    deliverRspServiceCode: index >= 1,
    distributionElement: index === 0 ? 'DistributionProtection' : 'DistributionIndicator',
    senderAddressIsString: index <= 1,
    deliverReplyChargingIdRequired: index <= 1,
    deliveryReportDate: 'Date',
    deliveryStatuses: [
      ...BASE_STATUSES,
      ...(index >= r61 ? ['Unrecognised', 'Deferred'] : []),
      ...(index >= RELEASE_NAMES.indexOf('REL-6-MM7-1-3') ? ['DeliveryConditionNotMet'] : []),
    ],
    chargedParties: ['Sender', 'Recipient', 'Both', 'Neither', ...(index >= RELEASE_NAMES.indexOf('REL-6-MM7-1-2') ? ['ThirdParty'] : [])],
    rel6,
    deliveryCondition: index >= RELEASE_NAMES.indexOf('REL-6-MM7-1-3'),
    rel614: name === 'REL-6-MM7-1-4',
    ...extra,
  };
}

export const RELEASES: Readonly<Record<ReleaseName, Release>> = {
  'REL-5-MM7-1-0': release('REL-5-MM7-1-0', ['5.3.0']),
  'REL-5-MM7-1-1': release('REL-5-MM7-1-1', ['5.3.0']),
  'REL-5-MM7-1-2': release('REL-5-MM7-1-2', ['5.3.0']),
  'REL-5-MM7-1-3': release('REL-5-MM7-1-3', ['5.6.0', '5.5.0', '5.3.0']),
  'REL-5-MM7-1-4': release('REL-5-MM7-1-4', ['5.8.0', '5.6.0', '5.5.0', '5.3.0'], { deliveryReportDate: 'TimeStamp' }),
  'REL-6-MM7-1-0': release('REL-6-MM7-1-0', ['6.3.0', '5.6.0', '5.5.0', '5.3.0']),
  'REL-6-MM7-1-1': release('REL-6-MM7-1-1', ['6.4.0', '6.3.0', '5.8.0', '5.6.0', '5.5.0', '5.3.0'], { deliveryReportDate: 'TimeStamp' }),
  'REL-6-MM7-1-2': release('REL-6-MM7-1-2', ['6.5.0', '6.4.0', '6.3.0', '5.10.0', '5.8.0', '5.6.0', '5.5.0', '5.3.0']),
  'REL-6-MM7-1-3': release('REL-6-MM7-1-3', ['6.6.0', '6.5.0', '6.4.0', '6.3.0', '5.10.0', '5.8.0', '5.6.0', '5.5.0', '5.3.0']),
  'REL-6-MM7-1-4': release('REL-6-MM7-1-4', ['6.8.0', '6.6.0', '6.5.0', '6.4.0', '6.3.0', '5.10.0', '5.8.0', '5.6.0', '5.5.0', '5.3.0']),
};

export const LATEST_RELEASE: ReleaseName = 'REL-6-MM7-1-4';

export function isReleaseName(value: string): value is ReleaseName {
  return (RELEASE_NAMES as readonly string[]).includes(value);
}

const RELEASE_IN_NS = /23\.140\/schema\/(REL-[56]-MM7-1-[0-4])\b/;

/** The release named by an MM7 namespace URI, if it is one of the ten. */
export function releaseOfNamespace(ns: string): Release | undefined {
  const m = RELEASE_IN_NS.exec(ns);
  return m && isReleaseName(m[1]!) ? RELEASES[m[1]] : undefined;
}

/** The version to answer with: the request's if the release knows it, else the release's own. */
export function versionFor(release: Release, requested: string | undefined): string {
  return requested && release.versions.includes(requested) ? requested : release.versions[0]!;
}

/** Every MM7Version value any release enumerates. */
export const KNOWN_VERSIONS: ReadonlySet<string> = new Set(Object.values(RELEASES).flatMap((r) => r.versions));
