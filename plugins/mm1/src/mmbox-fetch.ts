import { encodePduVectored } from '@openmmsc/codec';
import { retrieveConf, toEncodedString } from './convert.js';
import { PDU_TYPE, reachedEnd, sliceRange, type HttpAnswer } from './http-answer.js';
import { MMBOX_OWNER } from './mmbox.js';
import type { Mm1 } from './mm1.js';
import { adaptForHandset, noSuchMessage, retrieveError, type FetchRequest } from './retrieve.js';

/**
 * GET/HEAD `/b/<token>`: a message in an MMBox, as an m-retrieve-conf with its X-Mms-MM-State
 * and X-Mms-MM-Flags, adapted for the handset like any retrieval. Only its owner, as a trusted
 * WAP gateway vouches, gets it (the MMBox is personal: no anonymous fetches). A complete fetch
 * of a message in state New makes it Retrieved.
 */
export async function retrieveFromBox(mm1: Mm1, req: FetchRequest): Promise<HttpAnswer> {
  const v = req.dialect?.mmsVersion ?? mm1.o.mmsVersion;
  const id = mm1.signer.openBox(req.token);
  const message = id ? await mm1.ctx.mmsc.getMessage(id) : undefined;
  if (!id || !message) return noSuchMessage(mm1, v);
  const owner = message.attributes[MMBOX_OWNER];
  if (req.identity.kind !== 'trusted' || req.identity.address.value !== owner) {
    mm1.ctx.log.info({ id, remote: req.remote, why: req.identity.kind === 'trusted' ? `${req.identity.address.value} is not the owner` : req.identity.why }, 'MMBox retrieval refused');
    return retrieveError(mm1, 403, 'error-permanent-service-denied', 'only the owner of this MMBox may retrieve it', v);
  }
  const entry = await mm1.mmbox.index.find(owner, id);
  if (!entry) return noSuchMessage(mm1, v);
  const parts = (await adaptForHandset(mm1, id, req.headers)) ?? (await mm1.ctx.mmsc.getParts(id));
  if (!parts) return noSuchMessage(mm1, v);
  const pdu = retrieveConf(message, parts, v);
  pdu.mmState = entry.state;
  if (entry.flags.length) pdu.mmFlags = entry.flags.map((k) => ({ action: 'add', keyword: toEncodedString({ text: k }) }));
  // The part bodies go out as they are stored: never copied into one buffer.
  const full = encodePduVectored(pdu, { lenient: true });
  const answer = sliceRange(full, req.range);
  answer.contentType = PDU_TYPE;
  if (!req.head && entry.state === 'new' && reachedEnd(answer, full.length)) {
    await mm1.mmbox.index.change(owner, id, (e) => (e.state === 'new' ? { ...e, state: 'retrieved' } : e));
  }
  return answer;
}
