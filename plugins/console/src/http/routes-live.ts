import type { FastifyInstance } from 'fastify';
import { requireRole, sessionOf } from '../auth/guard.js';
import type { ConsoleApp } from '../app.js';
import { GROUPS, type TrafficRange } from '../traffic/sampler.js';
import { html, layout, time } from './html.js';
import { page } from './routes-messages.js';

/** Live traffic (charts drawn by console.js from `/api/traffic`) and links with alarms. */
export function liveRoutes(scope: FastifyInstance, app: ConsoleApp): void {
  const p = app.prefix;
  const view = requireRole(app.sessions, 'view', `${p}/login`);

  scope.get<{ Querystring: { range?: string; node?: string } }>('/traffic', { preHandler: view }, async (req, reply) => {
    const range = req.query.range === 'day' ? 'day' : 'hour';
    const node = req.query.node ?? '';
    const nodeQuery = node ? `&node=${encodeURIComponent(node)}` : '';
    const charts = Object.entries(GROUPS).map(([group, title]) => html`<figure class="chart" data-group="${group}"><figcaption>${title}</figcaption><svg viewBox="0 0 600 180" role="img" aria-label="${title}"></svg><ul class="legend"></ul></figure>`);
    const body = html`<p class="ranges"><a href="${p}/traffic?range=hour${nodeQuery}"${range === 'hour' ? html` class="active"` : ''}>last hour</a> · <a href="${p}/traffic?range=day${nodeQuery}"${range === 'day' ? html` class="active"` : ''}>last day</a> · <span id="showing">${node ? html`node <strong>${node}</strong> (<a href="${p}/traffic?range=${range}">whole cluster</a>)` : 'whole cluster'}</span> · <span id="updated" aria-live="polite"></span></p>
<div id="charts" data-range="${range}" data-node="${node}" data-every="${Math.max(1000, Math.min(app.options.traffic.sampleMs, 10_000))}">${charts}</div>
<section id="per-node"><h3>Per node, last interval</h3><table class="nodes"><thead><tr><th>node</th><th>submitted/s</th><th>final states/s</th><th>m-send-conf p95 (ms)</th><th>jobs queued</th></tr></thead><tbody></tbody></table></section>
<p class="note">Each node samples its own figures every ${app.options.traffic.sampleMs / 1000} s and publishes them to the shared store; the charts add every node up (latency and queue depth: the largest any node saw, the queue being shared).</p>`;
    return page(reply, layout(p, 'Live traffic', sessionOf(req), body, 'traffic'));
  });

  scope.get<{ Querystring: { range?: string } }>('/api/traffic', { preHandler: view }, async (req) => {
    const range: TrafficRange = req.query.range === 'day' ? 'day' : 'hour';
    const view = await app.cluster.read(range);
    return { range, groups: GROUPS, points: view.points, nodes: view.nodes };
  });

  const linksBody = () => {
    const alarms = app.alarms.list();
    return html`<section id="alarms"><h3>Alarms</h3>${alarms.length === 0 ? html`<p class="ok">No alarm.</p>` : html`<ul class="alarms">${alarms.map((a) => html`<li class="alarm" data-alarm="${a.id}"><strong>${a.text}</strong> since ${time(a.since)}</li>`)}</ul>`}</section>
<section id="links"><h3>Links and peers</h3><table class="links"><thead><tr><th>kind</th><th>name</th><th>state</th><th>since</th><th>detail</th></tr></thead><tbody>
${app.links.list().map((l) => html`<tr class="link link-${l.state}" data-link="${l.kind}:${l.name}"><td>${l.kind}</td><td>${l.name}</td><td class="state">${l.state}</td><td>${time(l.since)}</td><td>${l.detail}</td></tr>`)}</tbody></table></section>`;
  };

  scope.get('/links', { preHandler: view }, async (req, reply) => {
    const body = html`<div id="live" data-refresh="${p}/links/fragment" data-every="${Math.max(1000, Math.min(app.options.traffic.sampleMs, 10_000))}">${linksBody()}</div>`;
    return page(reply, layout(p, 'Links and alarms', sessionOf(req), body, 'links'));
  });
  scope.get('/links/fragment', { preHandler: view }, async (_req, reply) => page(reply, linksBody().text));
  scope.get('/api/links', { preHandler: view }, async () => ({ links: app.links.list(), alarms: app.alarms.list() }));
}
