import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export type ReadinessCheck = () => Promise<true | string>;

export interface AdminServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Named checks for `/ready`: the store, the queue, each plugin. */
  checks: () => ReadonlyArray<[string, ReadinessCheck]>;
  /** False while starting and once draining. */
  accepting: () => boolean;
}

/** `/health` (the process answers), `/ready` (it can do its work), `/metrics` (Prometheus). */
export async function startAdminServer(opts: AdminServerOptions): Promise<{ server: FastifyInstance; url: string }> {
  const server = Fastify({ logger: false });
  server.get('/health', async () => ({ status: 'ok' }));
  server.get('/ready', async (_req, reply) => {
    const results: Record<string, string> = {};
    let ready = opts.accepting();
    if (!ready) results.kernel = 'not accepting (starting or draining)';
    await Promise.all(
      opts.checks().map(async ([name, check]) => {
        try {
          const r = await withTimeout(check(), 2000);
          results[name] = r === true ? 'ok' : r;
          if (r !== true) ready = false;
        } catch (error) {
          results[name] = (error as Error).message;
          ready = false;
        }
      }),
    );
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: results });
  });
  server.get('/metrics', async (_req, reply) => {
    const body = await opts.registry.metrics();
    return reply.header('content-type', opts.registry.contentType).send(body);
  });
  const address = await server.listen({ host: opts.host, port: opts.port });
  return { server, url: address };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
