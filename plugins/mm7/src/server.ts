import { readFile } from 'node:fs/promises';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { SendApi } from './api.js';
import type { Mm7Service } from './mm7-service.js';
import type { Mm7Options } from './options.js';

const OPENAPI = new URL('../openapi.yaml', import.meta.url);

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** One fastify server: the MM7 SOAP endpoint and the plain JSON API. */
export function buildServer(options: Mm7Options, mm7: Mm7Service, api: SendApi | undefined): FastifyInstance {
  const app = Fastify({
    bodyLimit: options.limits.maxRequestSize,
    trustProxy: options.trustProxy,
    logger: false,
    // Keep-alive connections from VASPs are long-lived; don't let a slow client hold a socket forever.
    requestTimeout: 60_000,
  });
  // Everything but JSON arrives as raw bytes: the MM7 and form-data parsers are ours.
  app.removeContentTypeParser(['text/plain']);
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error, req, reply) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    const tooLarge = status === 413;
    if (req.url.startsWith(options.path)) {
      const res = mm7.refuse(tooLarge ? 2004 : 2007, tooLarge ? `request larger than ${options.limits.maxRequestSize} bytes` : 'unreadable request', tooLarge ? 413 : 500);
      void reply.code(res.status).headers(res.headers).send(res.body);
      return;
    }
    void reply.code(status >= 400 ? status : 500).send({ error: { code: tooLarge ? 'size-exceeded' : 'bad-request', message: (error as Error).message } });
  });

  app.post(options.path, async (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? ''));
    const res = await mm7.handle({ contentType: header(req, 'content-type'), body, authorization: header(req, 'authorization'), ip: req.ip });
    void reply.code(res.status).headers(res.headers).send(res.body);
  });

  if (api && options.api.enabled) {
    const p = options.api.prefix;
    const common = (req: FastifyRequest) => ({
      method: req.method,
      path: req.url,
      contentType: header(req, 'content-type'),
      authorization: header(req, 'authorization'),
      ip: req.ip,
      body: req.body,
    });
    app.post(`${p}/messages`, async (req, reply) => {
      const res = await api.handle(common(req), 'send');
      void reply.code(res.status).headers(res.headers ?? {}).send(res.body);
    });
    app.get<{ Params: { id: string } }>(`${p}/messages/:id`, async (req, reply) => {
      const res = await api.handle(common(req), 'status', req.params.id);
      void reply.code(res.status).headers(res.headers ?? {}).send(res.body);
    });
    app.delete<{ Params: { id: string } }>(`${p}/messages/:id`, async (req, reply) => {
      const res = await api.handle(common(req), 'cancel', req.params.id);
      void reply.code(res.status).headers(res.headers ?? {}).send(res.body);
    });
    app.get(`${p}/openapi.yaml`, async (_req, reply) => {
      void reply.header('content-type', 'application/yaml').send(await readFile(OPENAPI, 'utf8'));
    });
  }
  return app;
}
