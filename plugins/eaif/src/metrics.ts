import { Counter, type Registry } from 'prom-client';

/** What the EAIF plugin counts, on the MMSC's registry (`ctx.metrics`). */
export interface EaifMetrics {
  /** Answers to applications by HTTP status, including those written for broken requests. */
  requests: Counter<'status'>;
  /** Submissions stored (retransmissions included). */
  accepted: Counter;
  /** Refused submissions by reason (kernel reason codes, `unauthorized`, `throughput`, …). */
  refusals: Counter<'reason'>;
  /** Requests to applications by kind (MultiMediaMessage, DeliveryReport, ReadReply) and outcome. */
  outbound: Counter<'kind' | 'outcome'>;
}

export function createEaifMetrics(registry: Registry): EaifMetrics {
  return {
    requests: new Counter({ name: 'openmmsc_eaif_requests_total', help: 'EAIF requests answered, by HTTP status', labelNames: ['status'] as const, registers: [registry] }),
    accepted: new Counter({ name: 'openmmsc_eaif_submissions_accepted_total', help: 'EAIF submissions accepted', registers: [registry] }),
    refusals: new Counter({ name: 'openmmsc_eaif_refusals_total', help: 'EAIF submissions refused, by reason', labelNames: ['reason'] as const, registers: [registry] }),
    outbound: new Counter({
      name: 'openmmsc_eaif_outbound_total',
      help: 'EAIF requests to applications, by message type and outcome (delivered, retry, rejected)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
  };
}
