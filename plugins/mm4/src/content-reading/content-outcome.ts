import { revivedBuffers } from '@openmmsc/core/threads';
import { MimeError, type MimeErrorCode } from '@openmmsc/mime';
import { parseContent, type MailHead, type MimeLimits, type ParsedMail } from '../mime.js';

/** A message's head and body, to be read on a thread. */
export interface ContentRequest {
  head: MailHead;
  limits: MimeLimits;
}

/** A structure that does not hold is an outcome the caller answers (554 5.6.0), not an error. */
export type ContentOutcome = { parsed: ParsedMail } | { mimeError: { code: MimeErrorCode; message: string } };

/** Reads the content on the thread. */
export function readContentOutcome(request: ContentRequest): ContentOutcome {
  const { head, limits } = revivedBuffers(request);
  try {
    return { parsed: parseContent(head, limits) };
  } catch (error) {
    if (error instanceof MimeError) return { mimeError: { code: error.code, message: error.message } };
    throw error;
  }
}

/** The outcome back on the caller's side: Buffers again, or the MimeError it stood for. */
export function revivedContent(outcome: ContentOutcome): ParsedMail {
  if ('mimeError' in outcome) throw new MimeError(outcome.mimeError.code, outcome.mimeError.message);
  return revivedBuffers(outcome.parsed);
}
