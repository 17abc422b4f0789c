import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

/** X-Mms-Message-Type values (OMA MMS Encapsulation 7.3.30) of what handsets POST. */
const POSTED: Record<number, string> = { 0x80: 'send', 0x83: 'notifyresp', 0x85: 'acknowledge', 0x87: 'read-rec', 0x89: 'forward', 0x8b: 'mbox-store', 0x8d: 'mbox-view', 0x8f: 'mbox-upload', 0x91: 'mbox-delete', 0x97: 'cancel-conf' };

/** What an MM1 request was: the PDU type of a POST, or the kind of URL fetched. */
export function requestKind(req: FastifyRequest): string {
  if (req.method === 'POST') {
    const body = req.body;
    return body instanceof Uint8Array && body[0] === 0x8c ? (POSTED[body[1] ?? 0] ?? 'other') : 'other';
  }
  const m = /^\/([mborv])\//.exec(req.url);
  return m ? ({ m: 'retrieve', b: 'mbox-retrieve', o: 'original', r: 'report', v: 'web-view' } as Record<string, string>)[m[1]!]! : 'other';
}

/**
 * `openmmsc_mm1_requests_total{kind,status}` and `openmmsc_mm1_request_duration_seconds{kind}`:
 * e.g. the time handsets wait for their m-send-conf is `kind="send"`.
 */
export function observeRequests(app: FastifyInstance, registry: Registry): void {
  const requests = new Counter({ name: 'openmmsc_mm1_requests_total', help: 'MM1 requests answered, by kind (PDU type of a POST, or what was fetched) and HTTP status', labelNames: ['kind', 'status'], registers: [registry] });
  const seconds = new Histogram({
    name: 'openmmsc_mm1_request_duration_seconds',
    help: 'Time to answer an MM1 request, by kind (send: the m-send-conf latency)',
    labelNames: ['kind'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    const kind = requestKind(req);
    requests.inc({ kind, status: String(reply.statusCode) });
    seconds.observe({ kind }, reply.elapsedTime / 1000);
  });
}
