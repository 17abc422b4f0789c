/**
 * How to answer an HTTP GET with the 51 KB m-retrieve-conf, measured in server CPU per response:
 *
 * - `concat`: encodePdu (bodies copied into one buffer) and `reply.send(buffer)`: what MM1 did;
 * - `stream`: encodePduVectored and `reply.send(Readable)` over the chunks;
 * - `writev`: encodePduVectored and the chunks written to `reply.raw` under cork (what MM1 does
 *   now: `plugins/mm1/src/write-chunks.ts`).
 *
 * The server runs in this process, the load (undici, keep-alive, checking every answer's
 * Content-Length and bytes) in a child, so this process's CPU time is the server's cost. Methods
 * are measured in interleaved rounds (order rotated every round).
 *
 *   node --import tsx --conditions=@openmmsc/source bench/codec/reply.ts [rounds] [requests-per-round] [connections]
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { Pool } from 'undici';
import { corpusPath } from '@openmmsc/conformance';
import { decodePdu, encodePdu, encodePduVectored } from '@openmmsc/codec';
// Not part of the plugin's API: the very function MM1 answers with.
import { writeChunks } from '../../plugins/mm1/src/write-chunks.js';

const ROUNDS = Number(process.argv[2] ?? 5);
const REQUESTS = Number(process.argv[3] ?? 1500);
const CONNECTIONS = Number(process.argv[4] ?? 8);
const METHODS = ['concat', 'stream', 'writev'] as const;
const bytes = readFileSync(corpusPath('peer-encoders/bench-retrieve-conf.mms'));

if (process.argv[2] === '--load') await load(process.argv[3]!);
else await serve();

async function serve(): Promise<void> {
  const pdu = decodePdu(bytes);
  const app = Fastify({ logger: false });
  const type = 'application/vnd.wap.mms-message';
  app.get('/concat', async (_req, reply) => {
    const body = encodePdu(pdu);
    return reply.code(200).header('content-type', type).header('content-length', body.length).send(body);
  });
  app.get('/stream', async (_req, reply) => {
    const { chunks, length } = encodePduVectored(pdu);
    const stream = new Readable({
      read() {
        for (const c of chunks) this.push(c);
        this.push(null);
      },
    });
    return reply.code(200).header('content-type', type).header('content-length', length).send(stream);
  });
  app.get('/writev', async (_req, reply) => {
    reply.code(200).header('content-type', type);
    return writeChunks(reply, encodePduVectored(pdu));
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const child = fork(fileURLToPath(import.meta.url), ['--load', url], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (method: string): Promise<{ seconds: number; bad: number }> =>
    new Promise((resolve) => {
      child.once('message', (m) => resolve(m as { seconds: number; bad: number }));
      child.send({ method, requests: REQUESTS });
    });
  const cpu: Record<string, number[]> = Object.fromEntries(METHODS.map((m) => [m, []]));
  const rps: Record<string, number[]> = Object.fromEntries(METHODS.map((m) => [m, []]));
  let bad = 0;
  const load0 = loadavg()[0]!;
  await ask('warm');
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < METHODS.length; i++) {
      const m = METHODS[(i + r) % METHODS.length]!;
      const c0 = process.cpuUsage();
      const res = await ask(m);
      const c = process.cpuUsage(c0);
      cpu[m]!.push((c.user + c.system) / REQUESTS);
      rps[m]!.push(REQUESTS / res.seconds);
      bad += res.bad;
    }
  }
  child.send({ method: 'exit' });
  await app.close();
  const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  console.log(`Node ${process.version}; ${bytes.length}-byte m-retrieve-conf; ${ROUNDS} rounds × ${REQUESTS} GETs per method, ${CONNECTIONS} keep-alive connections; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
  console.log('method     server CPU µs/response (median)   responses/s (median)');
  for (const m of METHODS) console.log(`  ${m.padEnd(8)} ${median(cpu[m]!).toFixed(1).padStart(12)}                    ${Math.round(median(rps[m]!)).toLocaleString('en-US').padStart(10)}`);
  console.log(`writev/concat CPU: ${(median(cpu.writev!) / median(cpu.concat!)).toFixed(2)}   stream/concat CPU: ${(median(cpu.stream!) / median(cpu.concat!)).toFixed(2)}`);
  console.log(bad === 0 ? 'every answer had the right Content-Length and bytes' : `${bad} answers were wrong`);
  if (bad) process.exitCode = 1;
}

async function load(url: string): Promise<void> {
  const pool = new Pool(url, { connections: CONNECTIONS, pipelining: 1 });
  process.on('message', async (m: { method: string; requests: number }) => {
    if (m.method === 'exit') {
      await pool.close();
      process.exit(0);
    }
    const method = m.method === 'warm' ? 'writev' : m.method;
    const requests = m.method === 'warm' ? 300 : m.requests;
    let next = 0;
    let bad = 0;
    const t0 = performance.now();
    const worker = async (): Promise<void> => {
      while (next < requests) {
        const i = next++;
        const res = await pool.request({ method: 'GET', path: `/${method}` });
        const body = Buffer.from(await res.body.arrayBuffer());
        const declared = Number(res.headers['content-length']);
        // Every length is checked; the bytes of every 50th answer (comparing all would load this process).
        if (res.statusCode !== 200 || declared !== bytes.length || body.length !== declared || (i % 50 === 0 && !body.equals(bytes))) bad++;
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
    process.send!({ seconds: (performance.now() - t0) / 1000, bad });
  });
}
