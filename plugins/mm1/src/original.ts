import { Services } from '@openmmsc/core';
import { originalAccess } from './access.js';
import { textAnswer, type HttpAnswer } from './http-answer.js';
import type { Identity } from './identity.js';
import { originalServedType, partAnswer } from './legacy-page.js';
import type { Mm1 } from './mm1.js';

/** Only ids the kernel made (120 random bits) are unguessable enough to act as a link's capability. */
const KERNEL_ID = /^[a-z2-7]{24,64}$/;

export interface OriginalRequest {
  messageId: string;
  part: string;
  /** The link's signature (`e`, `s`, maybe `r`), as the kernel's `ContentLinks` signed it. */
  query: Readonly<Record<string, unknown>>;
  range: string | undefined;
  identity: Identity;
  remote: string | undefined;
}

/**
 * GET/HEAD `/o/<messageId>/<part>?e=…&s=…`: one original part of a message, as MM11's removal
 * notices link to it, with its own content type (active types as a download). Only links the
 * kernel signed (`ContentLinks`) open, and only until the message expires: a guessed id, an
 * edited or cut link opens nothing. It changes no recipient's state.
 */
export async function originalPart(mm1: Mm1, req: OriginalRequest): Promise<HttpAnswer> {
  const index = /^\d{1,4}$/.test(req.part) ? Number(req.part) : -1;
  const gone = textAnswer(404, 'no such part');
  if (index < 0 || !KERNEL_ID.test(req.messageId)) return gone;
  const link = mm1.ctx.services.get(Services.ContentLinks).verify({ messageId: req.messageId, part: index, query: req.query }, mm1.now());
  if (!link.ok) {
    mm1.ctx.log.warn({ messageId: req.messageId, part: index, remote: req.remote, why: link.why }, 'original link refused');
    return link.why === 'expired' ? textAnswer(404, 'this link has expired') : textAnswer(403, 'this link is not valid');
  }
  const message = await mm1.ctx.mmsc.getMessage(req.messageId);
  if (!message) return gone;
  const recipients = await mm1.ctx.mmsc.getRecipients(message.id);
  const access = originalAccess(req.identity, [message.headers.from, ...recipients.map((r) => r.address)], mm1.o.retrieval.originals);
  if (access.as === 'refused') {
    mm1.ctx.log.info({ messageId: message.id, remote: req.remote, why: access.why }, 'original part refused');
    return textAnswer(403, 'only the sender and recipients of this message may fetch it');
  }
  if (message.expiresAt <= mm1.now()) return textAnswer(410, 'the message has expired');
  const part = (await mm1.ctx.mmsc.getParts(message.id))?.[index];
  if (!part) return gone;
  return partAnswer(part, req.range, originalServedType);
}
