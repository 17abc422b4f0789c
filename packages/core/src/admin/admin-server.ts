import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AdminRoutes } from '../plugin/define-plugin.js';
import type { KernelConfig } from '../config/kernel-schema.js';
import { mergeLimits } from '../config/listener-schema.js';
import { createHttpListener } from '../listeners/http-listener.js';
import { certificateMatches, clientCertificate } from '../listeners/tls.js';

export type ReadinessCheck = () => Promise<true | string>;

/** What the node can do beyond accepting work, and what operators should know about it. */
export interface Ability {
  ok: boolean;
  /** Why not, or what is degraded while it still works. */
  detail?: string;
}

export interface AdminServerOptions {
  /** `admin` (address, TLS, allowed clients) and `listeners.http` (time-outs, connection caps). */
  config: Pick<KernelConfig, 'admin' | 'listeners'>;
  /** TLS files resolve against it. */
  baseDir: string;
  registry: Registry;
  log: Logger;
  /** Named checks for `/ready`: the store, the queue, each plugin. */
  checks: () => ReadonlyArray<[string, ReadinessCheck]>;
  /**
   * What the node can do beyond accepting work (e.g. `notify`: the push bearer can carry
   * notifications). Reported by `/ready` without making it fail, and each on `/ready/<name>`.
   */
  abilities?: () => ReadonlyArray<[string, () => Promise<Ability>]>;
  /** False while starting and once draining. */
  accepting: () => boolean;
  /**
   * The whole node's metrics when this process is one of its workers (summed by the primary);
   * `/metrics` serves them, `/metrics?scope=worker` this process's alone.
   */
  nodeMetrics?: (() => Promise<string>) | undefined;
  /** Routes plugins mount (`PluginContext.adminRoutes`), each in its own encapsulation context. */
  routes?: ReadonlyArray<AdminRoutes>;
}

/**
 * `/health` (the process answers), `/ready` (it accepts work; a load balancer keys on this),
 * `/ready/<ability>` (e.g. `/ready/notify`: it can also carry notifications), `/metrics`.
 */
export async function startAdminServer(opts: AdminServerOptions): Promise<{ server: FastifyInstance; url: string }> {
  const admin = opts.config.admin;
  const server = createHttpListener(
    {
      name: 'admin',
      limits: mergeLimits(opts.config.listeners.http, admin.listener),
      tls: admin.tls ? { config: admin.tls, baseDir: opts.baseDir } : undefined,
      metrics: opts.registry,
      log: opts.log,
    },
    { logger: false },
  );
  if (admin.tls?.requestCert) {
    // Mutual TLS: a CA-signed certificate, and one of the listed ones when any are listed.
    server.addHook('onRequest', async (req, reply) => {
      const cert = clientCertificate(req.raw.socket);
      const allowed = admin.clients.length === 0 ? cert?.authorized === true : admin.clients.some((rule) => certificateMatches(rule, cert));
      if (!allowed) {
        opts.log.warn({ remote: req.ip, subject: cert?.subject }, 'admin request without an allowed client certificate refused');
        return reply.code(403).send({ error: 'a client certificate allowed by admin.clients is required' });
      }
      return undefined;
    });
  }
  const abilities = opts.abilities ?? (() => []);
  server.get('/health', async () => ({ status: 'ok' }));
  server.get('/ready', async (_req, reply) => {
    const [accept, able] = await Promise.all([runChecks(opts.checks()), runAbilities(abilities())]);
    let ready = accept.ok;
    if (!opts.accepting()) {
      accept.results.kernel = 'not accepting (starting or draining)';
      ready = false;
    }
    const body = { status: ready ? 'ready' : 'not ready', checks: accept.results, abilities: able.results };
    return reply.code(ready ? 200 : 503).send(body);
  });
  server.get<{ Params: { ability: string } }>('/ready/:ability', async (req, reply) => {
    const found = abilities().find(([name]) => name === req.params.ability);
    if (!found) return reply.code(404).send({ error: `unknown ability ${req.params.ability}; known: ${abilities().map(([n]) => n).join(', ') || 'none'}` });
    const { ok, results } = await runAbilities([found]);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks: results });
  });
  server.get<{ Querystring: { scope?: string } }>('/metrics', async (req, reply) => {
    const scope = req.query.scope ?? 'node';
    if (scope !== 'node' && scope !== 'worker') return reply.code(400).send({ error: `scope must be node or worker, not ${scope}` });
    const node = scope === 'node' ? opts.nodeMetrics : undefined;
    // Which worker answered is a matter of chance: the node-wide figures do not depend on it.
    const body = node ? await node() : await opts.registry.metrics();
    return reply.header('content-type', opts.registry.contentType).send(body);
  });
  for (const register of opts.routes ?? []) await server.register(async (scope) => register(scope));
  const address = await server.listen({ host: admin.host, port: admin.port });
  return { server, url: address };
}

function runChecks(checks: ReadonlyArray<[string, ReadinessCheck]>): Promise<{ ok: boolean; results: Record<string, string> }> {
  return runAbilities(checks.map(([name, check]) => [name, async (): Promise<Ability> => {
    const r = await check();
    return r === true ? { ok: true } : { ok: false, detail: r };
  }]));
}

/** Each ability as `ok`, `ok: <detail>` (working, something degraded), or what stops it. */
async function runAbilities(list: ReadonlyArray<[string, () => Promise<Ability>]>): Promise<{ ok: boolean; results: Record<string, string> }> {
  const results: Record<string, string> = {};
  let ok = true;
  await Promise.all(
    list.map(async ([name, ability]) => {
      try {
        const a = await withTimeout(ability(), 2000);
        results[name] = a.ok ? (a.detail ? `ok: ${a.detail}` : 'ok') : (a.detail ?? 'unavailable');
        if (!a.ok) ok = false;
      } catch (error) {
        results[name] = (error as Error).message;
        ok = false;
      }
    }),
  );
  return { ok, results };
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
