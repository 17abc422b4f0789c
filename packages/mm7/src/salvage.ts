import { releaseOfNamespace, type Release } from './releases.js';
import { decodeEntities } from './xml.js';

/** What a best-effort look at an unreadable request found: enough to address the fault. */
export interface RequestHints {
  release?: Release;
  transactionId?: string;
}

/** The SOAP header comes first; a VASP's TransactionID is far inside the first 64 KiB. */
const WINDOW = 64 * 1024;

const TRANSACTION_ID = /<(?:[A-Za-z_][\w.-]*:)?TransactionID\b[^>]*>([^<]{1,256})<\/(?:[A-Za-z_][\w.-]*:)?TransactionID\s*>/;

/**
 * Scans the start of a request that could not be decoded (not well-formed, cut short, too large,
 * not even authenticated) for its MM7 namespace and TransactionID, so that the fault answering it
 * still names the transaction the VASP is waiting for. Text only: nothing is parsed or trusted,
 * and a TransactionID whose closing tag did not arrive is not guessed at.
 */
export function salvageHints(body: Buffer | string): RequestHints {
  const text = typeof body === 'string' ? body.slice(0, WINDOW) : body.toString('utf8', 0, Math.min(body.length, WINDOW));
  const out: RequestHints = {};
  const release = releaseOfNamespace(text);
  if (release) out.release = release;
  const m = TRANSACTION_ID.exec(text);
  // eslint-disable-next-line no-control-regex
  const id = m ? decodeEntities(m[1]!).trim() : '';
  if (id && !/[\u0000-\u001f\ufffd]/.test(id)) out.transactionId = id;
  return out;
}
