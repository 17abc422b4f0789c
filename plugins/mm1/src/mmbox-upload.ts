import { createHash } from 'node:crypto';
import { MmsDecodeError, type MboxUploadConf, type MboxUploadReq, type MmsBody, type MmsHeaderFields } from '@openmmsc/codec';
import type { Address, MmsHeaders } from '@openmmsc/core';
import { ConversionError, bodyToParts, parseAddresses, resolveTime, toEncodedText, toMessageClass, toPriority } from './convert.js';
import type { Dialect } from './dialects.js';
import type { Identity } from './identity.js';
import { requestedState } from './mmbox.js';
import { storeConf } from './mmbox-store.js';
import type { Mm1 } from './mm1.js';
import { checkContent } from './submit.js';
import { decodeUpload } from './upload.js';

const MMS_PDU = 'application/vnd.wap.mms-message';

/** What an upload carries: the headers of the MM (when it came as a PDU) and its body. */
interface Uploaded {
  envelope: Partial<Pick<MmsHeaderFields, 'to' | 'cc' | 'bcc' | 'subject' | 'date' | 'messageClass' | 'priority' | 'deliveryTime'>>;
  body: MmsBody;
}

/**
 * The MM inside an m-mbox-upload-req: its body is an MMS PDU (`application/vnd.wap.mms-message`,
 * normally an m-mbox-descr carrying the MM's headers and content; any PDU with a body is taken),
 * or, leniently, the MM's content itself.
 */
function unwrap(pdu: MboxUploadReq): Uploaded {
  const body = pdu.body;
  if (!body) throw new ConversionError('format-corrupt', 'm-mbox-upload-req has no body');
  if (body.contentType.type.toLowerCase() !== MMS_PDU || !body.data) return { envelope: {}, body };
  let inner;
  try {
    inner = decodeUpload(body.data);
  } catch (error) {
    if (error instanceof MmsDecodeError) throw new ConversionError('format-corrupt', `the uploaded MM is not a valid PDU: ${error.message}`);
    throw error;
  }
  if (!inner.body) throw new ConversionError('format-corrupt', `the uploaded ${inner.messageType} has no content`);
  return { envelope: inner as Uploaded['envelope'], body: inner.body };
}

/** The uploaded MM as the kernel keeps it; its sender is always the owner (never what the PDU says). */
function toContent(mm1: Mm1, up: Uploaded, owner: Address) {
  const parse = (raw: string) => mm1.ctx.mmsc.parseAddress(raw);
  const e = up.envelope;
  const { contentType, parts } = bodyToParts(up.body);
  const now = mm1.now();
  const headers: MmsHeaders = {
    from: owner,
    to: parseAddresses(e.to, parse),
    cc: parseAddresses(e.cc, parse),
    bcc: parseAddresses(e.bcc, parse),
    date: e.date instanceof Date ? e.date : new Date(now),
    contentType,
  };
  if (e.subject) headers.subject = toEncodedText(e.subject);
  const cls = toMessageClass(e.messageClass);
  if (cls) headers.messageClass = cls;
  const prio = toPriority(e.priority);
  if (prio) headers.priority = prio;
  const deliveryTime = resolveTime(e.deliveryTime, now);
  if (deliveryTime) headers.deliveryTime = deliveryTime;
  return { headers, parts };
}

/** m-mbox-upload-req: an MM the subscriber puts straight into its MMBox (MM-State Draft unless it says otherwise). */
export async function mboxUploadReq(mm1: Mm1, pdu: MboxUploadReq, raw: Uint8Array, identity: Identity, dialect?: Dialect): Promise<MboxUploadConf> {
  const tid = pdu.transactionId ?? '';
  const answer = (status: Parameters<typeof storeConf>[4]) => storeConf<MboxUploadConf>(mm1, 'm-mbox-upload-conf', tid, pdu.mmsVersion, status);
  if (identity.kind !== 'trusted') return answer({ status: 'error-permanent-service-denied', text: 'not authenticated' });
  if (!mm1.o.mmbox.enabled) return answer({ status: 'error-permanent-service-denied', text: 'this MMSC keeps no MMBox' });
  const owner = identity.address;
  let content;
  try {
    content = toContent(mm1, unwrap(pdu), owner);
  } catch (error) {
    if (error instanceof ConversionError) return answer({ status: 'error-permanent-message-format-corrupt', text: error.message });
    throw error;
  }
  const bad = checkContent(mm1, content.parts, owner);
  if (bad) return answer({ status: 'error-permanent-failure', text: bad });
  // A handset that timed out sends the same upload again: the same transaction and bytes store nothing twice.
  const source = `upload:${tid}:${createHash('sha256').update(raw).digest('base64url').slice(0, 22)}`;
  return answer(await mm1.mmbox.store(owner, content, { state: requestedState(pdu.mmState) ?? 'draft', flags: pdu.mmFlags, source }, dialect));
}
