// The load generator (its own process): runs the phases run.ts sends it, one at a time, against
// whatever URL each names, with the same client and connection count, and answers with figures.
// Like wrk it stays light: the real encoder builds each SubmitReq, answers are only scanned for
// their StatusCode (decoded fully when not 1000).
import type { MmsPart } from '@openmmsc/core';
import { RELEASES, decodeMm7, encodeMm7, guessAddress, type SubmitReq } from '@openmmsc/mm7';
import { Pool } from 'undici';

/** What a phase sends: the image and how it travels. */
export type Shape = 'jpeg36-base64' | 'jpeg30-binary' | 'text+jpeg30-binary';

export interface PhaseSpec {
  phase: string;
  url: string;
  requests: number;
  /** Recipients per SubmitReq. */
  recipients: number;
  /** First recipient number (phases use distinct numbers). */
  offset: number;
  shape: Shape;
  /** EarliestDeliveryTime +1 h: accepted and stored only. */
  deferred: boolean;
}

export interface LoadResult {
  phase: string;
  requests: number;
  recipients: number;
  /** Bytes of one request body. */
  bodyBytes: number;
  ok: number;
  failed: Record<string, number>;
  seconds: number;
  p50: number;
  p99: number;
}

export const PASSWORD = 'bench-password';

/** A JPEG-shaped body (SOI … EOI); the MMSC does not decode images on submit. */
export function jpeg(bytes: number): MmsPart {
  const data = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 131 + 7) & 0xff;
  data.set([0xff, 0xd8, 0xff, 0xe0], 0);
  data.set([0xff, 0xd9], bytes - 2);
  return { contentType: { type: 'image/jpeg', params: {} }, contentId: 'photo', contentLocation: 'photo.jpg', data };
}

const TEXT: MmsPart = { contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, contentId: 'text', data: Buffer.from('Spring offer: 20% off this weekend.') };
const SHAPES: Record<Shape, { parts: MmsPart[]; encoding: 'binary' | 'base64' }> = {
  // 36 KiB of image as base64 lines: a SubmitReq of about 50 KB.
  'jpeg36-base64': { parts: [jpeg(36 * 1024)], encoding: 'base64' },
  'jpeg30-binary': { parts: [jpeg(30 * 1024)], encoding: 'binary' },
  'text+jpeg30-binary': { parts: [TEXT, jpeg(30 * 1024)], encoding: 'binary' },
};

const number = (i: number) => `+1555${String(1_000_000 + i).slice(-7)}`;
const authorization = `Basic ${Buffer.from(`bench:${PASSWORD}`).toString('base64')}`;
const pools = new Map<string, Pool>();
let tx = 0;

function encode(spec: PhaseSpec, i: number) {
  const shape = SHAPES[spec.shape];
  const to = Array.from({ length: spec.recipients }, (_, j) => guessAddress(number(spec.offset + i * spec.recipients + j)));
  const body: SubmitReq = { type: 'SubmitReq', senderIdentification: { vaspId: 'bench', senderAddress: guessAddress('12345') }, recipients: { to, cc: [], bcc: [] }, subject: 'bench' };
  if (spec.deferred) body.earliestDeliveryTime = 'PT1H';
  return encodeMm7({ release: RELEASES['REL-6-MM7-1-4'], transactionId: `b${++tx}`, body }, { parts: shape.parts, transferEncoding: shape.encoding });
}

async function submit(pool: Pool, path: string, payload: { contentType: string; body: Buffer }): Promise<string> {
  try {
    const res = await pool.request({ method: 'POST', path, headers: { 'content-type': payload.contentType, authorization, soapaction: '""' }, body: payload.body });
    const text = await res.body.text();
    const code = /StatusCode>(\d+)</.exec(text)?.[1];
    if (code === '1000') return '1000';
    const decoded = decodeMm7(String(res.headers['content-type'] ?? 'text/xml'), Buffer.from(text));
    const status = decoded.envelope.fault?.detail?.status ?? (decoded.envelope.body as { status?: { code: number } } | undefined)?.status;
    return status ? String(status.code) : `HTTP ${res.statusCode}`;
  } catch (error) {
    return (error as Error).message;
  }
}

export async function runPhase(spec: PhaseSpec, concurrency: number): Promise<LoadResult> {
  const url = new URL(spec.url);
  let pool = pools.get(url.origin);
  if (!pool) pools.set(url.origin, (pool = new Pool(url.origin, { connections: concurrency, pipelining: 1 })));
  const latencies: number[] = [];
  const failed: Record<string, number> = {};
  let ok = 0;
  let next = 0;
  const bodyBytes = encode(spec, 0).body.length;
  const started = performance.now();
  const worker = async () => {
    while (next < spec.requests) {
      const payload = encode(spec, next++);
      const t0 = performance.now();
      const code = await submit(pool, url.pathname, payload);
      latencies.push(performance.now() - t0);
      if (code === '1000') ok++;
      else failed[code] = (failed[code] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0).toFixed(1));
  return { phase: spec.phase, requests: spec.requests, recipients: spec.requests * spec.recipients, bodyBytes, ok, failed, seconds, p50: pct(0.5), p99: pct(0.99) };
}

/** The child's loop: `{ run, concurrency }` in, `LoadResult` out, until `{ stop }`. */
export function serve(): void {
  process.on('message', (msg: { type: 'run'; spec: PhaseSpec; concurrency: number } | { type: 'stop' }) => {
    if (msg.type === 'stop') {
      void Promise.all([...pools.values()].map((p) => p.close())).then(() => process.exit(0));
      return;
    }
    void runPhase(msg.spec, msg.concurrency).then((result) => process.send!({ type: 'result', result }));
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ type: 'ready' });
}
