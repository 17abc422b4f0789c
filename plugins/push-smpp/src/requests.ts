/// <reference types="@openmmsc/smpp-types" preserve="true" />
import smpp, { type SmppPdu, type SmppSession } from 'smpp';
import type { LinkOptions } from './options.js';

export type RequestResult = SmppPdu | 'down' | 'timeout' | 'aborted';

export interface SubmitParams {
  destinationAddr: string;
  esmClass: number;
  dataCoding: number;
  registeredDelivery: number;
  shortMessage: Buffer;
}

/** The submit_sm PDU for one SMS on a link. */
export function submitSm(o: LinkOptions, params: SubmitParams): SmppPdu {
  return new smpp.PDU('submit_sm', {
    service_type: '',
    source_addr_ton: o.sourceTon,
    source_addr_npi: o.sourceNpi,
    source_addr: o.sourceAddr,
    dest_addr_ton: o.destTon,
    dest_addr_npi: o.destNpi,
    destination_addr: params.destinationAddr,
    esm_class: params.esmClass,
    protocol_id: 0,
    priority_flag: 0,
    registered_delivery: params.registeredDelivery,
    data_coding: params.dataCoding,
    short_message: params.shortMessage,
  });
}

/** Requests sent on a session, waiting for their responses by sequence number. */
export class PendingRequests {
  private readonly pending = new Map<number, (pdu: SmppPdu | undefined) => void>();

  /** Sends a request PDU; resolves with its response, or why there is none. */
  send(session: SmppSession, pdu: SmppPdu, timeoutMs: number, signal?: AbortSignal): Promise<RequestResult> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve('aborted');
      if (!session.send(pdu)) return resolve('down');
      const seq = pdu.sequence_number;
      const finish = (v: RequestResult) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(seq);
        resolve(v);
      };
      const onAbort = () => finish('aborted');
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(seq, (p) => finish(p ?? 'down'));
    });
  }

  /** A response arrived. */
  answer(pdu: SmppPdu): void {
    this.pending.get(pdu.sequence_number)?.(pdu);
  }

  /** The session is gone: every request ends `down`. */
  failAll(): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const settle of all) settle(undefined);
  }
}
