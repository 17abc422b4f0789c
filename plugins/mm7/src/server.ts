import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { clientCertificate, createHttpListener, type AdmissionDecision, type HttpListenerLimits, type TlsServerConfig } from '@openmmsc/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Counter, Registry } from 'prom-client';
import { retryAfterSeconds } from './answers.js';
import type { SendApi } from './api.js';
import { BodyReader, BodyTooLarge, writeAndClose, type PendingBody, type RawAnswer } from './http-body.js';
import type { Mm7Service } from './mm7-service.js';
import type { Mm7Options } from './options.js';

const OPENAPI = new URL('../openapi.yaml', import.meta.url);

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export interface ServerDeps {
  log: Logger;
  /** Answers by HTTP status. */
  requests: Counter<'status'>;
  /** The kernel's `listeners.http` with this plugin's `listener` on top. */
  limits: HttpListenerLimits;
  /** HTTPS, with paths relative to `baseDir`. */
  tls?: { config: TlsServerConfig; baseDir: string } | undefined;
  metrics: Registry;
  /** The kernel's admission check for new work. */
  admit: (iface: string) => AdmissionDecision;
}

/** A refused body is read (and dropped) up to this size so the client can read the refusal. */
export function discardLimit(maxRequestSize: number): number {
  return Math.max(4 * maxRequestSize, 16 * 1024 * 1024);
}

/** One fastify server: the MM7 SOAP endpoint and the plain JSON API. */
export function buildServer(options: Mm7Options, mm7: Mm7Service, api: SendApi | undefined, deps: ServerDeps): FastifyInstance {
  const { maxRequestSize } = options.limits;
  const { requestTimeout } = deps.limits;
  const reader = new BodyReader(maxRequestSize, discardLimit(maxRequestSize));
  const isMm7 = (url: string) => url.split('?')[0] === options.path;

  /** A request that broke or stalled while its body was arriving (HTTP parse error, timeout). */
  const brokenBody = (pending: PendingBody, code: string | undefined): RawAnswer => {
    const timedOut = code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const got = `${pending.received}${pending.declared !== undefined ? ` of ${pending.declared}` : ''} bytes`;
    const text =
      code === 'HPE_INVALID_EOF_STATE'
        ? `request body cut short: the connection ended after ${got}`
        : timedOut
          ? `request body incomplete after ${requestTimeout / 1000} s: ${got} arrived`
          : `request body unreadable (${code ?? 'HTTP error'}) after ${got}`;
    const status = timedOut ? 408 : 400;
    if (isMm7(pending.url)) return mm7.refuse(2007, text, status, pending.head());
    return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 'format-corrupt', message: text } }) };
  };

  const app = createHttpListener({ name: 'mm7', limits: deps.limits, tls: deps.tls, metrics: deps.metrics, log: deps.log }, {
    trustProxy: options.trustProxy,
    logger: false,
    clientErrorHandler(error: Error & { code?: string }, socket: Socket) {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      if (!socket.writable) {
        socket.destroy();
        return;
      }
      const pending = reader.pendingOn(socket);
      let answer: RawAnswer;
      if (pending) {
        answer = brokenBody(pending, error.code);
        deps.log.info({ code: error.code, url: pending.url, received: pending.received, declared: pending.declared }, 'request body broken off');
      } else {
        const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
        answer = { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 'bad-request', message: `HTTP error ${error.code ?? ''}`.trim() } }) };
      }
      deps.requests.inc({ status: String(answer.status) });
      writeAndClose(socket, answer);
    },
  });
  app.addHook('onResponse', async (_req, reply) => {
    deps.requests.inc({ status: String(reply.statusCode) });
  });

  // New work (a SubmitReq, an API send) is refused for load before its body is read.
  const apiSend = api && options.api.enabled ? `${options.api.prefix}/messages` : undefined;
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'POST') return;
    const path = req.url.split('?')[0];
    if (!isMm7(req.url) && path !== apiSend) return;
    const admitted = deps.admit('mm7');
    if (admitted.ok) return;
    const retryAfter = retryAfterSeconds(admitted.retryAfterMs);
    const headers = { 'retry-after': retryAfter, connection: 'close' };
    if (isMm7(req.url)) {
      const res = mm7.refuse(4006, admitted.reason.message, 503);
      return reply.code(res.status).headers({ ...res.headers, ...headers }).send(res.body);
    }
    return reply.code(503).headers(headers).send({ error: { code: admitted.reason.code, message: admitted.reason.message } });
  });

  // Every body is read by our reader; MM7, form-data and other parsers work on the bytes.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', (req, payload, done) => {
    reader.read(payload, (error, body) => (error ? done(error, undefined) : json(req, body!.toString('utf8'), done)));
  });
  app.addContentTypeParser('*', (_req, payload, done) => {
    reader.read(payload, (error, body) => done(error, body));
  });

  app.setErrorHandler((error, req, reply) => {
    // The connection broke while the body arrived: answered, if at all, by clientErrorHandler.
    if (!req.raw.socket.writable) {
      reply.hijack();
      return;
    }
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (error instanceof BodyTooLarge && error.unread) void reply.header('connection', 'close');
    if (isMm7(req.url)) {
      const res =
        error instanceof BodyTooLarge
          ? mm7.refuse(2004, `request larger than ${maxRequestSize} bytes`, 413, error.head)
          : mm7.refuse(2007, 'unreadable request', status >= 400 && status < 500 ? status : 500);
      void reply.code(res.status).headers(res.headers).send(res.body);
      return;
    }
    const code = error instanceof BodyTooLarge ? 'size-exceeded' : 'bad-request';
    void reply.code(status >= 400 ? status : 500).send({ error: { code, message: (error as Error).message } });
  });

  app.post(options.path, async (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? ''));
    const res = await mm7.handle({ contentType: header(req, 'content-type'), body, authorization: header(req, 'authorization'), ip: req.ip, certificate: clientCertificate(req.raw.socket) });
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
      certificate: clientCertificate(req.raw.socket),
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
