import { Counter, type Registry } from 'prom-client';
import type { DecodeWarningKind } from '@openmmsc/mm7';

/** What the MM7 server counts, registered on the MMSC's registry (`ctx.metrics`). */
export interface Mm7Metrics {
  /** Answers by HTTP status, including those written before fastify saw a request. */
  requests: Counter<'status'>;
  /** Faults by MM7 status code: the refusals a VASP got, readable or not. */
  faults: Counter<'code'>;
  /** Deviations the decoder accepted, by kind. */
  decodeWarnings: Counter<'kind'>;
}

export function createMm7Metrics(registry: Registry): Mm7Metrics {
  return {
    requests: new Counter({ name: 'openmmsc_mm7_requests_total', help: 'MM7 and API requests answered, by HTTP status', labelNames: ['status'] as const, registers: [registry] }),
    faults: new Counter({ name: 'openmmsc_mm7_faults_total', help: 'MM7 SOAP faults sent, by MM7 status code', labelNames: ['code'] as const, registers: [registry] }),
    decodeWarnings: new Counter({
      name: 'openmmsc_mm7_decode_warnings_total',
      help: 'Deviations from the MM7/MIME standards accepted in requests, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
  };
}

export type { DecodeWarningKind };
