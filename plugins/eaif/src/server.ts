import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { EaifAnswer } from './answers.js';
import type { EaifInbound } from './inbound.js';
import type { EaifMetrics } from './metrics.js';
import type { EaifOptions } from './options.js';
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
export function buildServer(options: EaifOptions, inbound: EaifInbound, deps: { log: Logger; metrics: EaifMetrics }): FastifyInstance {
  const { maxRequestSize, requestTimeout } = options.limits;
  const app = Fastify({
    logger: false,
    trustProxy: options.trustProxy,
    bodyLimit: maxRequestSize,
    return503OnClosing: true,
    requestTimeout,
    http: { headersTimeout: Math.min(60_000, requestTimeout), connectionsCheckingInterval: Math.min(30_000, Math.max(250, requestTimeout / 4)) },
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
