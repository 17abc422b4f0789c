import type { FastifyInstance, FastifyReply } from 'fastify';
import { ACTIONS, runAction, type ActionName } from '../actions/actions.js';
import type { BlockList } from '../actions/block-list.js';
import { requireRole, sessionOf } from '../auth/guard.js';
import type { ConsoleApp } from '../app.js';
import { decodeText, messagePage, servedType, type MessageView } from '../pages/message-page.js';
import { parseSearch, searchPage } from '../pages/search-page.js';
import { searchMessages } from '../trace/search.js';
import { html, layout } from './html.js';

type Query = Record<string, string | undefined>;

/** Message trace: search, the message page, its parts, and the actions on its recipients. */
export function messageRoutes(scope: FastifyInstance, app: ConsoleApp, blocks: BlockList): void {
  const p = app.prefix;
  const view = requireRole(app.sessions, 'view', `${p}/login`);
  const operate = requireRole(app.sessions, 'operate', `${p}/login`);
  const limits = app.options.trace;
  const search = (raw: Query) => {
    const q = parseSearch(raw);
    return typeof q === 'string' ? q : searchMessages(app.kv, app.mmsc, q, limits, app.clock.now());
  };

  scope.get<{ Querystring: Query }>('/messages', { preHandler: view }, async (req, reply) => {
    const asked = Object.values(req.query).some((v) => v);
    const result = asked ? await search(req.query) : undefined;
    const body = typeof result === 'string' ? html`<p class="error">${result}</p>${searchPage(p, req.query, undefined)}` : searchPage(p, req.query, result);
    return page(reply, layout(p, 'Messages', sessionOf(req), body, 'messages'), typeof result === 'string' ? 400 : 200);
  });

  scope.get<{ Querystring: Query }>('/api/messages', { preHandler: view }, async (req, reply) => {
    const result = await search(req.query);
    return typeof result === 'string' ? reply.code(400).send({ error: result }) : result;
  });

  const load = async (id: string): Promise<MessageView | undefined> => {
    const message = await app.mmsc.getMessage(id);
    if (!message) return undefined;
    const [parts, recipients] = await Promise.all([app.mmsc.getParts(id), app.mmsc.getRecipients(id)]);
    return { message, parts: parts ?? [], recipients };
  };

  scope.get<{ Params: { id: string } }>('/messages/:id', { preHandler: view }, async (req, reply) => {
    const v = await load(req.params.id);
    const session = sessionOf(req);
    if (!v) return page(reply, layout(p, 'Message not found', session, html`<p>No message <code>${req.params.id}</code> in the store (purged, or never stored).</p>`, 'messages'), 404);
    return page(reply, layout(p, `Message ${v.message.id}`, session, messagePage(p, session, v), 'messages'));
  });

  scope.get<{ Params: { id: string } }>('/api/messages/:id', { preHandler: view }, async (req, reply) => {
    const v = await load(req.params.id);
    if (!v) return reply.code(404).send({ error: 'no such message' });
    const parts = v.parts.map((part, i) => ({ index: i, contentType: part.contentType, contentId: part.contentId, contentLocation: part.contentLocation, size: part.data.byteLength, url: `${p}/messages/${encodeURIComponent(v.message.id)}/parts/${i}` }));
    return { message: v.message, parts, recipients: v.recipients };
  });

  scope.get<{ Params: { id: string; n: string } }>('/messages/:id/parts/:n', { preHandler: view }, async (req, reply) => {
    const parts = await app.mmsc.getParts(req.params.id);
    const part = /^\d{1,4}$/.test(req.params.n) ? parts?.[Number(req.params.n)] : undefined;
    if (!part) return reply.code(404).send({ error: 'no such part' });
    const served = servedType(part);
    // A part is data, never a page: no script runs, even if a browser sniffed it as HTML.
    reply.header('content-security-policy', "default-src 'none'; img-src 'self'; media-src 'self'; sandbox");
    if (served.download) reply.header('content-disposition', `attachment; filename="part-${req.params.n}"`);
    const body = served.type.startsWith('text/plain') ? decodeText(part) : Buffer.from(part.data);
    return reply.type(served.type).send(body);
  });

  const act = async (id: string, rawIndex: unknown, rawAction: unknown, session: ReturnType<typeof sessionOf>) => {
    const index = Number(rawIndex);
    if (!Number.isInteger(index) || index < 0) return { status: 400, result: { ok: false, detail: 'index: a recipient index' } };
    if (!(ACTIONS as readonly unknown[]).includes(rawAction)) return { status: 400, result: { ok: false, detail: `action: one of ${ACTIONS.join(', ')}` } };
    if (!(await app.mmsc.getMessage(id))) return { status: 404, result: { ok: false, detail: 'no such message' } };
    const result = await runAction(app.mmsc, blocks, session, id, index, rawAction as ActionName, app.clock.now());
    app.log.info({ user: session.user, messageId: id, recipient: index, action: rawAction, ok: result.ok, detail: result.detail }, 'console action');
    return { status: result.ok ? 200 : 409, result };
  };

  scope.post<{ Params: { id: string }; Body: Record<string, string> }>('/messages/:id/actions', { preHandler: operate }, async (req, reply) => {
    const { status, result } = await act(req.params.id, req.body?.index, req.body?.action, sessionOf(req));
    const back = `${p}/messages/${encodeURIComponent(req.params.id)}`;
    return page(reply, layout(p, result.ok ? 'Done' : 'Not done', sessionOf(req), html`<p class="${result.ok ? 'ok' : 'error'}" role="status">${result.detail}</p><p><a href="${back}">Back to the message</a></p>`), status);
  });

  scope.post<{ Params: { id: string; index: string; action: string } }>('/api/messages/:id/recipients/:index/:action', { preHandler: operate }, async (req, reply) => {
    const { status, result } = await act(req.params.id, req.params.index, req.params.action, sessionOf(req));
    return reply.code(status).send(result);
  });

  scope.get('/api/blocked-senders', { preHandler: view }, async () => ({ blocked: await blocks.list() }));
  scope.delete<{ Params: { address: string } }>('/api/blocked-senders/:address', { preHandler: operate }, async (req) => {
    await blocks.unblock(req.params.address);
    app.log.info({ user: sessionOf(req).user, address: req.params.address }, 'console: sender unblocked');
    return { ok: true, detail: `${req.params.address} unblocked` };
  });
}

export function page(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}
