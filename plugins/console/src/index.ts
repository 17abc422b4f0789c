import { definePlugin, pluginIdentity } from '@openmmsc/core';
import type { FastifyInstance } from 'fastify';
import { BlockList } from './actions/block-list.js';
import type { ConsoleApp } from './app.js';
import { securityHeaders } from './auth/guard.js';
import { Sessions } from './auth/sessions.js';
import { LoginThrottle } from './auth/throttle.js';
import { CampaignJobs } from './campaigns/campaign-jobs.js';
import { CampaignStore } from './campaigns/campaign-store.js';
import { TemplateStore } from './campaigns/templates.js';
import { authRoutes } from './http/routes-auth.js';
import { campaignRoutes } from './http/routes-campaigns.js';
import { templateRoutes } from './http/routes-templates.js';
import { openApiRoute } from './http/openapi.js';
import { liveRoutes } from './http/routes-live.js';
import { messageRoutes } from './http/routes-messages.js';
import { staticRoutes } from './http/routes-static.js';
import { Alarms } from './links/alarms.js';
import { NodeLinks } from './links/node-links.js';
import { LinkMonitor } from './links/link-monitor.js';
import { consoleOptions } from './options.js';
import { IndexWriter } from './trace/index-writer.js';
import { ClusterTraffic, publisherName } from './traffic/cluster-traffic.js';
import { TrafficSampler } from './traffic/sampler.js';

export { consoleOptions, ROLES, type ConsoleOptions, type ConsoleOptionsInput, type Role } from './options.js';
export { hashPassword, verifyPassword } from './auth/password.js';
export { searchMessages, type SearchQuery, type SearchResult, type SearchHit, type SearchLimits } from './trace/search.js';
export type { IndexEntry } from './trace/index-entry.js';
export type { LinkStatus, LinkState } from './links/link-monitor.js';
export type { Alarm } from './links/alarms.js';
export type { TrafficPoint, TrafficRange } from './traffic/sampler.js';
export type { CampaignTemplate, TemplateSummary } from './campaigns/templates.js';
export type { ClusterTrafficView, NodeTraffic } from './traffic/cluster-traffic.js';
export { ACTIONS, type ActionName, type ActionResult } from './actions/actions.js';
export { openApi } from './http/openapi.js';


const identity = pluginIdentity(import.meta.url);

export default definePlugin({
  ...identity,
  apiVersion: '^1.0.0',
  description: 'Operator console on the admin server: message trace, live traffic, links and alarms, actions',
  configSchema: consoleOptions,
  setup(ctx) {
    const o = ctx.options;
    if (!ctx.config.admin.enabled) throw new Error('the console is served by the admin server: set admin.enabled (and keep admin.host private)');
    const now = () => ctx.clock.now();
    const index = new IndexWriter(ctx.kv, ctx.clock, ctx.log, o.trace);
    const blocks = new BlockList(ctx.kv, ctx.log);
    const cluster = new ClusterTraffic(ctx.kv, publisherName(ctx.config.node.id, ctx.worker), o.traffic.sampleMs, now, ctx.log);
    const traffic = new TrafficSampler(ctx.metrics, o.traffic.sampleMs, now, (range, point) => void cluster.publish(range, point));
    const links = new LinkMonitor(ctx.metrics, now);
    const campaigns = new CampaignStore(ctx.kv);
    const templates = new TemplateStore(ctx.kv);
    const runner = new CampaignJobs(campaigns, ctx.mmsc, ctx.jobs, ctx.clock, ctx.log);
    const nodeLinks = new NodeLinks(ctx.kv, ctx.config.node.id, ctx.worker, 3 * o.traffic.sampleMs, now, ctx.log);
    // Every worker shows the node's alarms; the one that speaks for the node announces them.
    const alarms = new Alarms(ctx.metrics, ctx.log, { queueThreshold: o.alarms.queueThreshold, webhook: o.alarms.webhook, now, kv: ctx.kv, node: ctx.config.node.id, speaks: () => nodeLinks.speaks() });
    const app: ConsoleApp = {
      options: o,
      prefix: o.prefix,
      secureCookie: o.secureCookie === 'always' || (o.secureCookie === 'auto' && ctx.config.admin.tls !== undefined),
      sessions: new Sessions(ctx.kv, ctx.clock, o.session),
      throttle: new LoginThrottle(ctx.kv, ctx.clock, o.login),
      kv: ctx.kv,
      mmsc: ctx.mmsc,
      clock: ctx.clock,
      log: ctx.log,
      traffic,
      cluster,
      links: nodeLinks,
      alarms,
    };
    ctx.adminRoutes(async (server: FastifyInstance) => {
      await server.register(
        async (scope) => {
          securityHeaders(scope);
          scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
            done(null, Object.fromEntries(new URLSearchParams(body as string)));
          });
          await staticRoutes(scope);
          authRoutes(scope, app);
          messageRoutes(scope, app, blocks);
          liveRoutes(scope, app);
          campaignRoutes(scope, app, campaigns, templates, runner, ctx.config.limits.maxMessageSize);
          templateRoutes(scope, app, templates, campaigns, ctx.config.limits.maxMessageSize);
          openApiRoute(scope, o.prefix, identity.version);
          scope.get('/', async (_req, reply) => reply.redirect(`${o.prefix}/messages`, 303));
          // Inside the console's scope, so a 404 carries its security headers too.
          scope.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not found' }));
        },
        { prefix: o.prefix },
      );
    });

    let monitor: NodeJS.Timeout | undefined;
    const watch = async () => {
      alarms.links(await nodeLinks.refresh(await links.sample()));
      const last = traffic.points('hour').at(-1);
      if (last) alarms.queues(new Map(Object.entries(last.values).filter(([k]) => k.startsWith('queued ')).map(([k, v]) => [k.slice(7), v])));
      await alarms.announce();
    };
    return {
      store: (m) => void index.add(m),
      receive: (m) => blocks.receive(m),
      async start() {
        await blocks.start();
        traffic.start();
        await runner.resume().catch((error: unknown) => ctx.log.warn({ err: error }, 'console: could not resume campaigns'));
        await watch().catch(() => undefined);
        monitor = setInterval(() => void watch().catch((error: unknown) => ctx.log.warn({ err: error }, 'console: link check failed')), o.traffic.sampleMs);
        monitor.unref();
        ctx.log.info({ prefix: o.prefix, accounts: o.accounts.length }, 'console served by the admin server');
      },
      async close() {
        clearInterval(monitor);
        traffic.stop();
        blocks.stop();
        await index.flush();
      },
    };
  },
});
