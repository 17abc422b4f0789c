import type { FastifyInstance } from 'fastify';
import { requireRole, sessionOf } from '../auth/guard.js';
import type { ConsoleApp } from '../app.js';
import type { CampaignStore } from '../campaigns/campaign-store.js';
import type { ContentInput } from '../campaigns/content.js';
import { summary, type TemplateStore } from '../campaigns/templates.js';

/** Templates are content (a media file included): the same limit as a campaign upload. */
const UPLOAD_LIMIT = 16 * 1024 * 1024;

type TemplateInput = ContentInput & { name?: unknown; campaign?: unknown };

/** Campaign templates: list (view); save from the form's content or from a campaign, and delete (operate). */
export function templateRoutes(scope: FastifyInstance, app: ConsoleApp, templates: TemplateStore, campaigns: CampaignStore, maxSize: number): void {
  const p = app.prefix;
  const view = requireRole(app.sessions, 'view', `${p}/login`);
  const operate = requireRole(app.sessions, 'operate', `${p}/login`);

  const save = async (body: TemplateInput | undefined, user: string) => {
    const input = body ?? {};
    let content: Parameters<TemplateStore['save']>[1] = input;
    if (typeof input.campaign === 'string' && input.campaign) {
      const c = await campaigns.get(input.campaign);
      if (!c) return 'campaign: no such campaign';
      content = { from: c.from, subject: c.subject ?? '', parts: await campaigns.parts(c.id) };
    }
    const t = await templates.save(input.name, content, user, app.clock.now(), maxSize);
    if (typeof t !== 'string') app.log.info({ user, template: t.id, name: t.name }, 'console: campaign template saved');
    return t;
  };

  scope.get('/api/templates', { preHandler: view }, async () => ({ templates: (await templates.list()).map(summary) }));
  scope.post<{ Body: TemplateInput }>('/api/templates', { preHandler: operate, bodyLimit: UPLOAD_LIMIT }, async (req, reply) => {
    const t = await save(req.body, sessionOf(req).user);
    if (typeof t === 'string') return reply.code(/exists/.test(t) ? 409 : 400).send({ error: t });
    return reply.code(201).send(summary(t));
  });
  scope.delete<{ Params: { id: string } }>('/api/templates/:id', { preHandler: operate }, async (req, reply) => {
    if (!(await templates.delete(req.params.id))) return reply.code(404).send({ error: 'no such template' });
    app.log.info({ user: sessionOf(req).user, template: req.params.id }, 'console: campaign template deleted');
    return { deleted: req.params.id };
  });

  // The same from plain forms (the campaign page, the template list), answered with a redirect.
  scope.post<{ Params: { id: string }; Body: { name?: unknown } }>('/campaigns/:id/template', { preHandler: operate }, async (req, reply) => {
    const t = await save({ name: req.body?.name, campaign: req.params.id }, sessionOf(req).user);
    if (typeof t === 'string') return reply.code(400).type('text/plain; charset=utf-8').send(t);
    return reply.redirect(`${p}/campaigns?template=${t.id}`, 303);
  });
  scope.post<{ Params: { id: string } }>('/templates/:id/delete', { preHandler: operate }, async (req, reply) => {
    if (!(await templates.delete(req.params.id))) return reply.code(404).send({ error: 'no such template' });
    app.log.info({ user: sessionOf(req).user, template: req.params.id }, 'console: campaign template deleted');
    return reply.redirect(`${p}/campaigns`, 303);
  });
}
