import { z } from 'zod';

/** One AVP of a template: a name from the dictionary, a value (placeholders allowed) or children. */
export interface AvpTemplate {
  name: string;
  value?: string | number | undefined;
  avps?: AvpTemplate[] | undefined;
  /** `recipients`: emit this AVP once per recipient the request covers, with `{recipient…}` bound. */
  repeat?: 'recipients' | undefined;
}

export const avpTemplate: z.ZodType<AvpTemplate> = z.lazy(() =>
  z.object({
    name: z.string().min(1).describe('AVP name as in the dictionary (built-in or `dictionary` below).'),
    value: z.union([z.string(), z.number()]).optional().describe('Value; `{placeholders}` are replaced; an AVP whose placeholders are all empty is left out.'),
    avps: z.array(avpTemplate).optional().describe('Children of a Grouped AVP.'),
    repeat: z.literal('recipients').optional().describe('Emit once per recipient of the request.'),
  }),
);

const peer = z.object({
  host: z.string().default('127.0.0.1').describe('OCS address.'),
  port: z.number().int().min(1).max(65535).default(3868).describe('OCS Diameter port.'),
  name: z.string().optional().describe('Name in logs and metrics (default host:port).'),
});

const dictionaryEntry = z.object({
  name: z.string().describe('AVP name used in templates.'),
  code: z.number().int().min(0).describe('AVP code.'),
  vendorId: z.number().int().min(0).optional().describe('Vendor-Id (sets the V bit), e.g. 10415 for 3GPP.'),
  type: z
    .enum(['OctetString', 'UTF8String', 'DiameterIdentity', 'DiameterURI', 'Integer32', 'Integer64', 'Unsigned32', 'Unsigned64', 'Enumerated', 'Time', 'Address', 'Grouped'])
    .describe('Data type (RFC 6733 §4.2/4.3).'),
  mandatory: z.boolean().default(true).describe('Set the M bit.'),
  values: z.record(z.string(), z.number().int()).optional().describe('Names for Enumerated values.'),
});

export const mm9Options = z.object({
  peers: z.array(peer).min(1).describe('OCS peers in priority order; requests fail over to the next open one.'),
  originHost: z.string().default('mmsc.openmmsc.local').describe('Our Origin-Host (DiameterIdentity).'),
  originRealm: z.string().default('openmmsc.local').describe('Our Origin-Realm.'),
  destinationRealm: z.string().default('ocs.local').describe('Destination-Realm of credit-control requests.'),
  destinationHost: z.string().optional().describe('Destination-Host, when the OCS wants it.'),
  hostIpAddress: z.string().default('127.0.0.1').describe('Host-IP-Address announced in CER.'),
  serviceContextId: z.string().default('32270@3gpp.org').describe('Service-Context-Id (TS 32.299: MMS is 32270@3gpp.org).'),
  mode: z
    .enum(['event', 'session'])
    .default('event')
    .describe('`event`: one CCR-EVENT with DIRECT_DEBITING at submission; `session`: reserve (CCR-INITIAL) at submission, commit (CCR-TERMINATION with used units) on delivery, release on failure or expiry.'),
  chargedParty: z.enum(['originator', 'recipient']).default('originator').describe('Whose account is charged: the sender, or each recipient (e.g. reverse-charged VASP content).'),
  unitsPerRecipient: z.number().int().min(0).default(1).describe('Service-specific units per recipient (Requested-Service-Unit / CC-Service-Specific-Units).'),
  serviceIdentifier: z.number().int().min(0).optional().describe('Service-Identifier in Multiple-Services-Credit-Control.'),
  ratingGroup: z.number().int().min(0).optional().describe('Rating-Group in Multiple-Services-Credit-Control.'),
  subscriptionId: z
    .object({
      msisdn: z.enum(['digits', 'plus']).default('digits').describe('Phone numbers as Subscription-Id-Data: `15551234567` or `+15551234567`.'),
    })
    .default({ msisdn: 'digits' })
    .describe('How addresses become Subscription-Id (E.164 → END_USER_E164, e-mail → END_USER_NAI, others END_USER_PRIVATE).'),
  commitOn: z
    .array(z.enum(['retrieved', 'delivered', 'forwarded']))
    .default(['retrieved', 'delivered', 'forwarded'])
    .describe('Session mode: recipient events that commit the reservation (the first one wins).'),
  refundOnFailure: z.boolean().default(true).describe('Event mode: refund (REFUND_ACCOUNT) a recipient that is rejected or expires after the debit.'),
  onUnreachable: z
    .enum(['accept', 'defer', 'reject'])
    .default('defer')
    .describe('When no OCS answers: `accept` (fail-open: deliver uncharged, logged and counted), `defer` (fail-closed: sender told to try later) or `reject` (fail-closed: service denied).'),
  resultCodes: z
    .object({
      accept: z.array(z.number().int()).default([2001, 2002, 4011]).describe('Result-Codes that let the message through (4011: credit control not applicable).'),
      noCredit: z.array(z.number().int()).default([4012, 4241]).describe('Result-Codes answered as insufficient credit (4012 CREDIT_LIMIT_REACHED).'),
    })
    .default({ accept: [2001, 2002, 4011], noCredit: [4012, 4241] })
    .describe('How Result-Codes map to verdicts; any other 4xxx/5xxx is service denied, 3xxx fails over.'),
  timeouts: z
    .object({
      requestMs: z.number().int().min(10).default(2000).describe('Per-attempt answer timeout (Tx timer, RFC 4006 §13).'),
      connectMs: z.number().int().min(10).default(3000).describe('TCP connect plus CER/CEA.'),
      watchdogMs: z.number().int().min(100).default(30000).describe('Tw: send DWR after this long without traffic; no DWA within it closes the link.'),
      reconnectMinMs: z.number().int().min(10).default(500).describe('First reconnect delay (doubles each time).'),
      reconnectMaxMs: z.number().int().min(10).default(30000).describe('Longest reconnect delay.'),
      waitForPeerMs: z.number().int().min(0).default(1000).describe('How long a request waits for a peer to come up when none is open.'),
      orphanMs: z.number().int().min(10).default(30000).describe('A debit or reservation whose message is not stored within this long (a later stage refused it) is undone.'),
    })
    .default({ requestMs: 2000, connectMs: 3000, watchdogMs: 30000, reconnectMinMs: 500, reconnectMaxMs: 30000, waitForPeerMs: 1000, orphanMs: 30000 })
    .describe('Timers.'),
  retry: z
    .object({
      attempts: z.number().int().min(0).default(5).describe('Retries of a commit, release or refund the OCS did not answer.'),
      baseMs: z.number().int().min(10).default(1000).describe('First retry delay (doubles each time, at most 60 s).'),
    })
    .default({ attempts: 5, baseMs: 1000 })
    .describe('Retries of settling requests (commit, release, refund) the OCS did not answer: durable jobs (kind `settle`), kept across restarts.'),
  serviceInformation: z
    .union([z.enum(['default', 'none']), z.array(avpTemplate)])
    .default('default')
    .describe('Service-Information AVPs: `default` (TS 32.299 MMS-Information from the message), `none`, or a template list.'),
  extraAvps: z.array(avpTemplate).default([]).describe('AVPs appended to every CCR (template), for what a particular OCS expects.'),
  dictionary: z.array(dictionaryEntry).default([]).describe('Extra AVP definitions (vendor AVPs of your OCS) usable in templates.'),
  productName: z.string().default('OpenMMSC').describe('Product-Name in CER.'),
});

export type Mm9Options = z.output<typeof mm9Options>;
