import type { Address, MessageClass, MmsHeaders, MmsPart, Priority } from '@openmmsc/core';
import type { Mm7Address, Mm7Recipients, MessageClassValue, PriorityValue, SubmitReq } from '@openmmsc/mm7';

export function toMessageClass(v: MessageClassValue | undefined): MessageClass | undefined {
  return v ? (v.toLowerCase() as MessageClass) : undefined;
}

export function fromMessageClass(v: MessageClass | undefined): MessageClassValue | undefined {
  return v ? ((v[0]!.toUpperCase() + v.slice(1)) as MessageClassValue) : undefined;
}

export function toPriority(v: PriorityValue | undefined): Priority | undefined {
  return v ? (v.toLowerCase() as Priority) : undefined;
}

export function fromPriority(v: Priority | undefined): PriorityValue | undefined {
  return v ? ((v[0]!.toUpperCase() + v.slice(1)) as PriorityValue) : undefined;
}

/** A kernel address as MM7 writes it. */
export function toMm7Address(a: Address): Mm7Address {
  switch (a.type) {
    case 'email':
      return { kind: 'RFC2822Address', value: a.value };
    case 'shortcode':
      return { kind: 'ShortCode', value: a.value };
    default:
      return { kind: 'Number', value: a.value };
  }
}

/** An MM7 address in kernel terms; a ShortCode stays a short code whatever its length. */
export function fromMm7Address(a: Mm7Address, parse: (raw: string) => Address): Address {
  if (a.kind === 'ShortCode') {
    const v = a.value.trim();
    if (!/^[0-9A-Za-z]{1,16}$/.test(v)) throw new Error(`invalid short code ${JSON.stringify(a.value)}`);
    return { type: 'shortcode', value: v };
  }
  if (a.kind === 'RFC2822Address') {
    // "Name <user@host>" is allowed in RFC 2822; keep the address.
    const angle = /<([^>]+)>/.exec(a.value);
    const parsed = parse(angle ? angle[1]! : a.value);
    if (parsed.type !== 'email') throw new Error(`not an e-mail address: ${JSON.stringify(a.value)}`);
    return parsed;
  }
  const parsed = parse(a.value);
  if (parsed.type === 'email') throw new Error(`not a number: ${JSON.stringify(a.value)}`);
  return parsed;
}

export function recipientsOf(headers: Pick<MmsHeaders, 'to' | 'cc' | 'bcc'>): Mm7Recipients {
  return { to: headers.to.map(toMm7Address), cc: headers.cc.map(toMm7Address), bcc: headers.bcc.map(toMm7Address) };
}

export function partsSize(parts: readonly MmsPart[]): number {
  let n = 0;
  for (const p of parts) n += p.data.byteLength;
  return n;
}

const yesNo = (b: boolean) => (b ? 'Yes' : 'No');

/** SubmitReq elements the kernel does not model, kept as headers for MM1 and CDRs. */
export function extraHeaders(req: SubmitReq, vaspId: string): Record<string, string> {
  const extra: Record<string, string> = { 'X-Mm7-VASP-ID': vaspId };
  const set = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '') extra[k] = v;
  };
  set('X-Mm7-VAS-ID', req.senderIdentification.vasId);
  set('X-Mm7-Linked-ID', req.linkedId);
  set('X-Mm7-Service-Code', req.serviceCode);
  set('X-Mm7-Charged-Party', req.chargedParty);
  set('X-Mm7-Charged-Party-ID', req.chargedPartyId);
  if (req.distributionIndicator !== undefined) extra['X-Mms-Distribution-Indicator'] = yesNo(req.distributionIndicator);
  set('X-Mms-Applic-ID', req.applicId);
  set('X-Mms-Reply-Applic-ID', req.replyApplicId);
  set('X-Mms-Aux-Applic-Info', req.auxApplicInfo);
  set('X-Mms-Content-Class', req.contentClass);
  if (req.drmContent !== undefined) extra['X-Mms-DRM-Content'] = yesNo(req.drmContent);
  if (req.replyCharging) {
    extra['X-Mms-Reply-Charging'] = 'Requested';
    if (req.replyCharging.size !== undefined) extra['X-Mms-Reply-Charging-Size'] = String(req.replyCharging.size);
    set('X-Mms-Reply-Charging-Deadline', req.replyCharging.deadline);
  }
  return extra;
}
