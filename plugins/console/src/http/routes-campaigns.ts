import { reportCsv } from '@openmmsc/campaign';
import type { FastifyInstance } from 'fastify';
import { requireRole, sessionOf } from '../auth/guard.js';
import type { ConsoleApp } from '../app.js';
import type { CampaignJobs } from '../campaigns/campaign-jobs.js';
import type { CampaignStore } from '../campaigns/campaign-store.js';
import { newCampaign, type CampaignInput } from '../campaigns/new-campaign.js';
import { summary, type TemplateStore } from '../campaigns/templates.js';
import { campaignPage, campaignProgress, campaignsPage } from '../pages/campaign-page.js';
import { html, layout } from './html.js';
import { page } from './routes-messages.js';

/** A campaign's upload (recipients and content) may be several megabytes. */
const UPLOAD_LIMIT = 16 * 1024 * 1024;

/** Campaigns: start one (operate), follow its progress, download the per-recipient report. */
export function campaignRoutes(scope: FastifyInstance, app: ConsoleApp, store: CampaignStore, templates: TemplateStore, runner: CampaignJobs, maxSize: number): void {
  const p = app.prefix;
  const view = requireRole(app.sessions, 'view', `${p}/login`);
  const operate = requireRole(app.sessions, 'operate', `${p}/login`);
  const list = async () => (await Promise.all((await store.ids()).map((id) => store.get(id)))).filter((c) => c !== undefined);

  const create = async (body: CampaignInput | undefined, user: string) => {
    const input = body ?? {};
    const template = typeof input.template === 'string' && input.template ? await templates.get(input.template) : undefined;
    if (typeof input.template === 'string' && input.template && !template) return 'template: no such template';
    const made = newCampaign(input, user, app.clock.now(), maxSize, template);
    if (typeof made === 'string') return made;
    await store.create(made.state, made.recipients, made.parts);
    app.log.info({ user, campaign: made.state.id, recipients: made.state.total }, 'console: campaign started');
    await runner.begin(made.state);
    return made.state;
  };

  scope.get<{ Querystring: { template?: string } }>('/campaigns', { preHandler: view }, async (req, reply) =>
    page(reply, layout(p, 'Campaigns', sessionOf(req), campaignsPage(p, sessionOf(req), await list(), (await templates.list()).map(summary), req.query.template ?? ''), 'campaigns')),
  );
  scope.get('/api/campaigns', { preHandler: view }, async () => ({ campaigns: await list() }));

  scope.post<{ Body: CampaignInput }>('/campaigns', { preHandler: operate, bodyLimit: UPLOAD_LIMIT }, async (req, reply) => {
    const made = await create(req.body, sessionOf(req).user);
    if (typeof made === 'string') return page(reply, layout(p, 'Campaign not started', sessionOf(req), html`<p class="error" role="alert">${made}</p><p><a href="${p}/campaigns">Back</a></p>`, 'campaigns'), 400);
    return reply.redirect(`${p}/campaigns/${made.id}`, 303);
  });
  scope.post<{ Body: CampaignInput }>('/api/campaigns', { preHandler: operate, bodyLimit: UPLOAD_LIMIT }, async (req, reply) => {
    const made = await create(req.body, sessionOf(req).user);
    return typeof made === 'string' ? reply.code(400).send({ error: made }) : reply.code(201).send(made);
  });

  const load = async (id: string) => {
    const c = await store.get(id);
    return c ? { c, outcomes: await store.outcomes(c) } : undefined;
  };
  scope.get<{ Params: { id: string } }>('/campaigns/:id', { preHandler: view }, async (req, reply) => {
    const got = await load(req.params.id);
    if (!got) return page(reply, layout(p, 'No such campaign', sessionOf(req), html``, 'campaigns'), 404);
    return page(reply, layout(p, `Campaign ${got.c.name}`, sessionOf(req), campaignPage(p, sessionOf(req), got.c, got.outcomes), 'campaigns'));
  });
  scope.get<{ Params: { id: string } }>('/campaigns/:id/fragment', { preHandler: view }, async (req, reply) => {
    const got = await load(req.params.id);
    return got ? page(reply, campaignProgress(p, got.c, got.outcomes).text) : reply.code(404).send({ error: 'no such campaign' });
  });
  scope.get<{ Params: { id: string } }>('/api/campaigns/:id', { preHandler: view }, async (req, reply) => {
    const got = await load(req.params.id);
    return got ? { campaign: got.c, outcomes: got.outcomes } : reply.code(404).send({ error: 'no such campaign' });
  });
  scope.get<{ Params: { id: string } }>('/campaigns/:id/report.csv', { preHandler: view }, async (req, reply) => {
    const got = await load(req.params.id);
    if (!got) return reply.code(404).send({ error: 'no such campaign' });
    const name = got.c.name.replace(/[^A-Za-z0-9._-]/g, '_') || 'campaign';
    return reply.header('content-disposition', `attachment; filename="${name}-report.csv"`).type('text/csv; charset=utf-8').send(reportCsv(got.outcomes));
  });
  scope.post<{ Params: { id: string } }>('/campaigns/:id/cancel', { preHandler: operate }, async (req, reply) => {
    const c = await store.get(req.params.id);
    if (!c) return reply.code(404).send({ error: 'no such campaign' });
    await store.update(c.id, (s) => (s.state === 'running' ? { ...s, state: 'cancelled', finishedAt: app.clock.now() } : s));
    app.log.info({ user: sessionOf(req).user, campaign: c.id }, 'console: campaign cancelled');
    return reply.redirect(`${p}/campaigns/${c.id}`, 303);
  });
}
