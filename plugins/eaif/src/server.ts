import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { createHttpListener, type AdmissionDecision, type HttpListenerLimits } from '@openmmsc/core';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { EaifAnswer } from './answers.js';
import type { EaifMetrics } from './metrics.js';
import type { EaifOptions } from './options.js';
import { EAIF_INTERFACE, type EaifInbound } from './inbound.js';
import { Refusal } from './refusal.js';

/** Writes an answer on a connection fastify could not turn into a request, then closes it. */
function answerRaw(socket: Socket, answer: EaifAnswer): void {
  const body = Buffer.from(answer.body ?? '', 'utf8');
  const lines = [`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`];
  for (const [name, value] of Object.entries(answer.headers)) lines.push(`${name}: ${value}`);
  lines.push(`content-length: ${body.length}`, 'connection: close', '', '');
  socket.end(Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]));
  // A client that never closes its side is cut off.
  setTimeout(() => socket.destroy(), 5000).unref();
}

/** The EAIF HTTP server: applications POST m-send-req bodies to `options.path`. */
export interface EaifServerDeps {
  log: Logger;
  metrics: EaifMetrics;
  /** The kernel's `listeners.http` with this plugin's `listener` on top. */
  limits: HttpListenerLimits;
  registry: Registry;
  /** The kernel's admission check for new work. */
  admit: (iface: string) => AdmissionDecision;
}

export function buildServer(options: EaifOptions, inbound: EaifInbound, deps: EaifServerDeps): FastifyInstance {
  const { maxRequestSize } = options.limits;
  const { requestTimeout } = deps.limits;
  const app = createHttpListener({ name: 'eaif', limits: deps.limits, metrics: deps.registry, log: deps.log }, {
    logger: false,
    trustProxy: options.trustProxy,
    bodyLimit: maxRequestSize,
    return503OnClosing: true,
    clientErrorHandler(error: Error & { code?: string }, socket: Socket) {
      if (error.code === 'ECONNRESET' || !socket.writable) {
        socket.destroy();
        return;
      }
      // The body stopped short of its Content-Length (client half-closed) or never finished arriving.
      const refusal =
        error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? new Refusal('format-corrupt', `request incomplete after ${requestTimeout / 1000} s`)
          : new Refusal('format-corrupt', `unreadable HTTP request (${error.code ?? 'parse error'})`);
      const answer = inbound.refuse(refusal);
      if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') answer.status = 408;
      else if (error.code === 'HPE_HEADER_OVERFLOW') answer.status = 431;
      deps.metrics.requests.inc({ status: String(answer.status) });
      deps.log.info({ code: error.code }, 'EAIF request broken off');
      answerRaw(socket, answer);
    },
  });
  app.addHook('onResponse', async (_req, reply) => {
    deps.metrics.requests.inc({ status: String(reply.statusCode) });
  });

  // A submission is refused for load before its body is read.
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'POST' || req.url.split('?')[0] !== options.path) return;
    const admitted = deps.admit(EAIF_INTERFACE);
    if (admitted.ok) return;
    const answer = inbound.refuse(new Refusal(admitted.reason.code, admitted.reason.message, admitted.retryAfterMs), true);
    return reply.code(answer.status).headers({ ...answer.headers, connection: 'close' }).send(answer.body);
  });

  app.removeAllContentTypeParsers();
  // Every body is bytes: the content type is checked by the EAIF handler, in its own terms.
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxRequestSize }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, req, reply) => {
    if (!req.raw.socket.writable) {
      reply.hijack();
      return;
    }
    let answer: EaifAnswer;
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      answer = inbound.refuse(new Refusal('size-exceeded', `request body larger than ${maxRequestSize} bytes`));
      void reply.header('connection', 'close');
    } else if (error.statusCode === 415 || error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      answer = inbound.refuse(new Refusal('unsupported-message', `Content-Type must be application/vnd.wap.mms-message`));
    } else if (error.statusCode && error.statusCode < 500) {
      answer = inbound.refuse(new Refusal('format-corrupt', `unreadable request: ${error.message}`));
    } else {
      deps.log.error({ err: error, url: req.url }, 'EAIF request failed');
      answer = inbound.refuse(new Refusal('internal-error', 'temporary failure; try again'));
    }
    void reply.code(answer.status).headers(answer.headers).send(answer.body);
  });

  app.post(options.path, async (req, reply) => {
    const body = req.body instanceof Uint8Array ? req.body : new Uint8Array(0);
    const answer = await inbound.handle({ headers: req.headers, body, ip: req.ip });
    void reply.code(answer.status).headers(answer.headers);
    return answer.body === undefined ? reply.send() : reply.send(answer.body);
  });
  return app;
}
