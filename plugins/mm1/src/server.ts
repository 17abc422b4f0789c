import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addBufferBodyParser, createHttpListener, mergeLimits, type PluginContext } from '@openmmsc/core';
import { acknowledgement, type Dialect } from './dialects.js';
import { textAnswer, type HttpAnswer } from './http-answer.js';
import type { Identity } from './identity.js';
import { viewPage, viewPart } from './legacy-view.js';
import type { Mm1 } from './mm1.js';
import { retrieveFromBox } from './mmbox-fetch.js';
import { originalPart } from './original.js';
import { corrupt, handleUpload } from './post.js';
import { fetchReport } from './reports.js';
import { noSuchMessage, retrieve } from './retrieve.js';
import { observeRequests } from './request-metrics.js';
import { writeChunks } from './write-chunks.js';

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
  const body = answer.body;
  if (body === undefined) return reply.send();
  if (typeof body === 'object' && !(body instanceof Uint8Array)) {
    // An encoded PDU as chunks: written as they are (the part bodies are the stored ones).
    if (!head) return writeChunks(reply, body);
    reply.header('content-length', body.length);
    return reply.send();
  }
  reply.header('content-length', typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  return head ? reply.send() : reply.send(body);
}

const one = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h);

/**
 * A body that is not all there (the handset hung up, or a proxy cut it) is never processed:
 * fewer bytes than Content-Length announced, or a request the parser did not see complete.
 */
function incompleteBody(request: FastifyRequest, body: Uint8Array): string | undefined {
  const declared = one(request.headers['content-length']);
  if (declared !== undefined && Number(declared) !== body.length) return `request body has ${body.length} of ${declared} bytes`;
  if (!request.raw.complete) return 'request body incomplete';
  return undefined;
}

/** The MM1 HTTP server: POST of PDUs, GET/HEAD of content, web pages for handsets without MMS. */
export function buildServer(mm1: Mm1, opts: ServerOptions): FastifyInstance {
  // A URL the router cannot take (malformed escapes, an overlong token) names no message either.
  const unroutable = (request: FastifyRequest, reply: FastifyReply, status: number, message: string) =>
    send(reply, /^\/[mb]\//.test(request.url) ? noSuchMessage(mm1) : textAnswer(status, message), request.method === 'HEAD');
  const o = mm1.o;
  const limits = mergeLimits(mm1.ctx.config.listeners.http, o.listener);
  // Every handset reaches MM1 through the WAP gateways: they are not one client each.
  limits.exemptAddresses = [...limits.exemptAddresses, ...o.identity.trustedGateways];
  const app = createHttpListener({ name: 'mm1', limits, metrics: mm1.ctx.metrics, log: opts.log }, {
    logger: false,
    bodyLimit: opts.bodyLimit,
    exposeHeadRoutes: false,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 1024 },
    frameworkErrors: (error, request, reply) => unroutable(request, reply, error.statusCode ?? 400, error.message),
  });
  observeRequests(app, mm1.ctx.metrics);
  app.removeAllContentTypeParsers();
  // Handsets send application/vnd.wap.mms-message, but some send nothing or something else: take bytes.
  addBufferBodyParser(app);

  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const conf = mm1.sendConf('', undefined, 'content-not-accepted', 'reject', `request body larger than ${opts.bodyLimit} bytes`);
      return send(reply, mm1.pduAnswer(conf, 413));
    }
    if (error.statusCode && error.statusCode < 500) {
      // A body that could not be read (cut short, wrong length): refused in PDU terms, never processed.
      if (request.method === 'POST') return send(reply, corrupt(mm1, new Uint8Array(0), error.message));
      return send(reply, textAnswer(error.statusCode, error.message));
    }
    opts.log.error({ err: error, url: request.url, method: request.method }, 'MM1 request failed');
    if (request.method === 'POST') {
      const conf = mm1.sendConf('', undefined, 'internal-error', 'defer', 'temporary failure; try again');
      return send(reply, mm1.pduAnswer(conf, 500));
    }
    return send(reply, textAnswer(500, 'internal error'));
  });
  app.setNotFoundHandler((request, reply) => unroutable(request, reply, 404, 'not found'));

  /** The handset's dialect: by what it sends and, when a trusted gateway named it, its MSISDN. */
  const dialectOf = (request: FastifyRequest, identity: Identity): Promise<Dialect> =>
    mm1.dialects.forRequest(request.headers, identity.kind === 'trusted' ? identity.address.value : undefined);

  const post = async (request: FastifyRequest, reply: FastifyReply) => {
    const remote = request.socket.remoteAddress;
    const body = request.body instanceof Uint8Array ? request.body : new Uint8Array(0);
    const cut = incompleteBody(request, body);
    if (cut) {
      opts.log.info({ remote, bytes: body.length }, `POST refused: ${cut}`);
      return send(reply, corrupt(mm1, body, cut));
    }
    const identity = mm1.resolveIdentity(remote, request.headers);
    const dialect = await dialectOf(request, identity);
    return send(reply, acknowledgement(await handleUpload(mm1, { body, identity, remote, dialect }), dialect));
  };
  app.post('/', post);
  app.post('/mms', post);

  /** A content location: `/m/` a message for one of its recipients, `/b/` a message in an MMBox. */
  const fetchWith = (serve: typeof retrieve) => (head: boolean) => async (request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
    const remote = request.socket.remoteAddress;
    const identity = mm1.resolveIdentity(remote, request.headers);
    const dialect = await dialectOf(request, identity);
    const answer = await serve(mm1, { token: request.params.token, head, range: one(request.headers.range), headers: request.headers, identity, remote, dialect });
    return send(reply, answer, head);
  };
  app.get('/m/:token', fetchWith(retrieve)(false));
  app.head('/m/:token', fetchWith(retrieve)(true));
  app.get('/b/:token', fetchWith(retrieveFromBox)(false));
  app.head('/b/:token', fetchWith(retrieveFromBox)(true));

  const fetchOriginal = (head: boolean) => async (request: FastifyRequest<{ Params: { messageId: string; part: string }; Querystring: Record<string, unknown> }>, reply: FastifyReply) => {
    const remote = request.socket.remoteAddress;
    const identity = mm1.resolveIdentity(remote, request.headers);
    const { messageId, part } = request.params;
    return send(reply, await originalPart(mm1, { messageId, part, query: request.query ?? {}, range: one(request.headers.range), identity, remote }), head);
  };
  app.get('/o/:messageId/:part', fetchOriginal(false));
  app.head('/o/:messageId/:part', fetchOriginal(true));

  app.get<{ Params: { token: string } }>('/r/:token', async (request, reply) => {
    const dialect = await dialectOf(request, mm1.resolveIdentity(request.socket.remoteAddress, request.headers));
    return send(reply, fetchReport(mm1, request.params.token, dialect));
  });
  app.get<{ Params: { token: string } }>('/v/:token', async (request, reply) => send(reply, await viewPage(mm1, request.params.token, false)));
  app.head<{ Params: { token: string } }>('/v/:token', async (request, reply) => send(reply, await viewPage(mm1, request.params.token, true), true));
  app.get<{ Params: { token: string; n: string } }>('/v/:token/part/:n', async (request, reply) => {
    const n = /^\d{1,4}$/.test(request.params.n) ? Number(request.params.n) : -1;
    return send(reply, await viewPart(mm1, request.params.token, n, one(request.headers.range)));
  });
  return app;
}
