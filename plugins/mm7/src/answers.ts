import type { VaspAccount } from './accounts.js';
import { DEFAULT_DIALECT, type Dialect, type DetailItem, type Mm7Body, isSuccess, statusText } from '@openmmsc/mm7';

export type FaultBody = {
  type: 'Fault';
  fault: { faultcode: string; faultstring: string; detail?: { type: 'RSErrorRsp'; status: { code: number; text: string; details?: DetailItem[] } } };
};

/** One answer to a VASP before it is written: HTTP status, body, extra headers. */
export interface Answer {
  http: number;
  body: Mm7Body | FaultBody;
  headers?: Record<string, string>;
}

export function dialectOf(account: VaspAccount | undefined): Dialect {
  if (!account) return DEFAULT_DIALECT;
  const d = account.options.dialect;
  return { envelopePrefix: d.envelopePrefix, mm7Prefix: d.mm7Prefix, xmlDeclaration: d.xmlDeclaration, mustUnderstand: d.mustUnderstand };
}

/** A SOAP fault carrying RSErrorRsp; 3xxx are the server's fault, the rest the client's. */
export function fault(code: number, text: string, http = 500, details?: DetailItem[]): Answer {
  const status = details?.length ? { code, text, details } : { code, text };
  return {
    http,
    body: { type: 'Fault', fault: { faultcode: code >= 3000 && code < 4000 ? 'Server' : 'Client', faultstring: `${statusText(code)}: ${text}`, detail: { type: 'RSErrorRsp', status } } },
  };
}

/** The answer of a cancel or replace operation. */
export function generic(type: 'CancelRsp' | 'ReplaceRsp' | 'extendedCancelRsp' | 'extendedReplaceRsp', code: number, text: string, messageId: string): Answer {
  const status = { code, text: isSuccess(code) && text === 'Success' ? statusText(code) : text };
  if (type === 'extendedReplaceRsp') return { http: 200, body: { type, messageId: messageId || 'none', status } };
  return { http: 200, body: { type, status } };
}

/** Seconds for a Retry-After header: the kernel's estimate, else 5. */
export function retryAfterSeconds(ms: number | undefined): string {
  return String(ms === undefined ? 5 : Math.max(1, Math.ceil(ms / 1000)));
}
