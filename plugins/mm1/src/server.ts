import { MmsDecodeError, decodePdu } from '@openmmsc/codec';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { PluginContext } from '@openmmsc/core';
import type { HttpAnswer, Mm1 } from './mm1.js';

export interface ServerOptions {
  host: string;
  port: number;
  bodyLimit: number;
  log: PluginContext<unknown>['log'];
}

function send(reply: FastifyReply, answer: HttpAnswer, head = false): FastifyReply {
  reply.code(answer.status);
  if (answer.headers) reply.headers(answer.headers);
  if (answer.contentType) reply.header('content-type', answer.contentType);
  if (answer.body === undefined) return reply.send();
  const length = typeof answer.body === 'string' ? Buffer.byteLength(answer.body) : answer.body.length;
  reply.header('content-length', length);
  return head ? reply.send() : reply.send(answer.body);
}

/** The MM1 HTTP server: POST of PDUs, GET/HEAD of content, web pages for handsets without MMS. */
export function buildServer(mm1: Mm1, opts: ServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: opts.bodyLimit, exposeHeadRoutes: false, return503OnClosing: true, routerOptions: { maxParamLength: 1024 } });
  app.removeAllContentTypeParsers();
  // Handsets send application/vnd.wap.mms-message, but some send nothing or something else: take bytes.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const conf = mm1.sendConf('', undefined, 'content-not-accepted', 'reject', `request body larger than ${opts.bodyLimit} bytes`);
      return send(reply, mm1.pduAnswer(conf, 413));
    }
    if (error.statusCode && error.statusCode < 500) return reply.code(error.statusCode).type('text/plain').send(`${error.message}\n`);
    opts.log.error({ err: error, url: request.url, method: request.method }, 'MM1 request failed');
    if (request.method === 'POST') {
      const conf = mm1.sendConf('', undefined, 'internal-error', 'defer', 'temporary failure; try again');
      return send(reply, mm1.pduAnswer(conf, 500));
    }
    return reply.code(500).type('text/plain').send('internal error\n');
  });

  const post = async (request: FastifyRequest, reply: FastifyReply) => {
    const remote = request.socket.remoteAddress;
    const identity = mm1.resolveIdentity(remote, request.headers);
    const body = request.body;
    if (!(body instanceof Uint8Array) || body.length === 0) {
      return send(reply, mm1.pduAnswer(mm1.sendConf('', undefined, 'format-corrupt', 'reject', 'empty request'), 400));
    }
    let pdu;
    try {
      pdu = decodePdu(body);
    } catch (error) {
      if (!(error instanceof MmsDecodeError)) throw error;
      return send(reply, mm1.pduAnswer(mm1.sendConf('', undefined, 'format-corrupt', 'reject', `not an MMS PDU: ${error.message}`), 400));
    }
    return send(reply, await mm1.handlePost(pdu, identity, remote));
  };
  app.post('/', post);
  app.post('/mms', post);

  const range = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h);
  app.get<{ Params: { token: string } }>('/m/:token', async (request, reply) =>
    send(reply, await mm1.retrieve(request.params.token, false, range(request.headers.range), request.headers)),
  );
  app.head<{ Params: { token: string } }>('/m/:token', async (request, reply) =>
    send(reply, await mm1.retrieve(request.params.token, true, range(request.headers.range), request.headers), true),
  );
  app.get<{ Params: { token: string } }>('/r/:token', async (request, reply) => send(reply, mm1.report(request.params.token)));
  app.get<{ Params: { token: string } }>('/v/:token', async (request, reply) => send(reply, await mm1.viewPage(request.params.token, false)));
  app.head<{ Params: { token: string } }>('/v/:token', async (request, reply) => send(reply, await mm1.viewPage(request.params.token, true), true));
  app.get<{ Params: { token: string; n: string } }>('/v/:token/part/:n', async (request, reply) => {
    const n = /^\d{1,4}$/.test(request.params.n) ? Number(request.params.n) : -1;
    return send(reply, await mm1.viewPart(request.params.token, n, range(request.headers.range)));
  });
  return app;
}
