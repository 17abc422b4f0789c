import type { Capabilities, MmsPart, RecipientRecord, RequestHeaders } from '@openmmsc/core';
import { encodePdu, encodePduVectored, type RetrieveConf, type RetrieveStatus } from '@openmmsc/codec';
import { contentAccess } from './access.js';
import { retrieveConf } from './convert.js';
import type { Dialect } from './dialects.js';
import { PDU_TYPE, reachedEnd, sliceRange, type HttpAnswer } from './http-answer.js';
import type { Identity } from './identity.js';
import type { Mm1 } from './mm1.js';

export interface FetchRequest {
  token: string;
  /** HEAD: the answer's headers only, and no state change. */
  head: boolean;
  range: string | undefined;
  headers: RequestHeaders;
  identity: Identity;
  remote: string | undefined;
  /** The handset's dialect (the MMS version written); default: the plugin's options. */
  dialect?: Dialect;
}

/** GET/HEAD `/m/<token>`: the m-retrieve-conf, or one saying why not. */
export async function retrieve(mm1: Mm1, req: FetchRequest): Promise<HttpAnswer> {
  const v = req.dialect?.mmsVersion ?? mm1.o.mmsVersion;
  const ref = mm1.signer.openContent(req.token);
  const found = ref ? await mm1.recipientOf(ref.messageId, ref.index) : undefined;
  if (!found) return noSuchMessage(mm1, v);
  const { message, recipient } = found;
  const access = contentAccess(req.identity, recipient.address, mm1.o.retrieval.untrusted);
  if (access.as === 'refused') {
    mm1.ctx.log.info({ messageId: message.id, remote: req.remote, why: access.why }, 'retrieval refused');
    return retrieveError(mm1, 403, 'error-permanent-service-denied', 'only the recipient may retrieve this message', v);
  }
  if (recipient.state === 'expired' || message.expiresAt <= mm1.now()) return retrieveError(mm1, 404, 'error-permanent-message-not-found', 'the message has expired', v);
  if (recipient.state === 'rejected') return retrieveError(mm1, 404, 'error-permanent-message-not-found', 'the message is no longer available', v);
  const parts = await partsFor(mm1, message.id, recipient, req.headers);
  if (!parts) return retrieveError(mm1, 404, 'error-permanent-message-not-found', 'the message content is gone', v);
  const pdu: RetrieveConf = retrieveConf(message, parts, v);
  const asRecipient = access.as === 'recipient';
  // Only the recipient's handset acknowledges: an anonymous fetch gets no transaction to answer.
  if (mm1.o.retrieval.acknowledge && asRecipient) pdu.transactionId = req.token;
  // The part bodies go out as they are stored: never copied into one buffer.
  const full = encodePduVectored(pdu, { lenient: true });
  const answer = sliceRange(full, req.range);
  answer.contentType = PDU_TYPE;
  if (asRecipient && !req.head && reachedEnd(answer, full.length) && (recipient.state === 'charged' || recipient.state === 'notified')) {
    await mm1.move(message.id, recipient.index, 'retrieved', { reason: 'fetched' });
  }
  return answer;
}

/**
 * The parts to send: adapted for what the handset tells when it fetches (UAProf in
 * x-wap-profile/Profile, Accept); when it tells nothing, the variant of the recipient's class
 * (ready, or waited for while the transcoder makes it), else what the transcoder assumes for a
 * handset that tells nothing (MM11: `uaprof.defaultClass`); the originals when no transcoder
 * adapts at retrieval.
 */
async function partsFor(mm1: Mm1, messageId: string, recipient: RecipientRecord, headers: RequestHeaders): Promise<MmsPart[] | undefined> {
  const variant = typeof recipient.attributes.variant === 'string' ? recipient.attributes.variant : undefined;
  const tells = !!(headers['x-wap-profile'] || headers.profile || headers.accept);
  if (!tells && variant) {
    const capabilities = mm1.ctx.service('Transcoder')?.capabilitiesFor?.(recipient);
    const made = capabilities?.class === variant ? await adaptFor(mm1, messageId, async () => capabilities, recipient.index) : undefined;
    return made ?? mm1.ctx.mmsc.getParts(messageId, variant);
  }
  return (await adaptForHandset(mm1, messageId, headers, recipient.index)) ?? mm1.ctx.mmsc.getParts(messageId, variant);
}

/** The parts adapted for what the request headers tell; `recipient`: whose fetch it is (for its history). */
export function adaptForHandset(mm1: Mm1, messageId: string, headers: RequestHeaders, recipient?: number): Promise<MmsPart[] | undefined> {
  const transcoder = mm1.ctx.service('Transcoder');
  if (!transcoder?.capabilitiesFromRequest) return Promise.resolve(undefined);
  return adaptFor(mm1, messageId, () => transcoder.capabilitiesFromRequest!(headers), recipient);
}

async function adaptFor(mm1: Mm1, messageId: string, capabilities: () => Promise<Capabilities>, recipient: number | undefined): Promise<MmsPart[] | undefined> {
  const transcoder = mm1.ctx.service('Transcoder');
  if (!transcoder?.adaptForRetrieval) return undefined;
  try {
    const adapted = await transcoder.adaptForRetrieval({ messageId, capabilities: await capabilities(), ...(recipient !== undefined ? { recipient } : {}) });
    return adapted?.parts;
  } catch (error) {
    mm1.ctx.log.warn({ err: error, messageId }, 'adaptation at retrieval failed; sending the stored content');
    return undefined;
  }
}

export function retrieveError(mm1: Mm1, status: number, retrieveStatus: RetrieveStatus, text: string, mmsVersion: string): HttpAnswer {
  const pdu: RetrieveConf = {
    messageType: 'm-retrieve-conf',
    mmsVersion,
    date: new Date(mm1.now()),
    retrieveStatus,
    retrieveText: { text },
  };
  return { status, contentType: PDU_TYPE, body: encodePdu(pdu, { lenient: true }) };
}

/** The answer to a content URL that names nothing. */
export function noSuchMessage(mm1: Mm1, mmsVersion = mm1.o.mmsVersion): HttpAnswer {
  return retrieveError(mm1, 404, 'error-permanent-message-not-found', 'no such message', mmsVersion);
}
