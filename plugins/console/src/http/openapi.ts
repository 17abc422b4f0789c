import type { FastifyInstance } from 'fastify';
import { ACTIONS } from '../actions/actions.js';
import { STATE_CHOICES } from '../pages/search-page.js';

type Schema = Record<string, unknown>;

const json = (schema: Schema, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = json(ref('Error'), 'Refused, with the reason');
const guarded = (role: string, responses: Record<string, unknown>, write = false) => ({
  'x-required-role': role,
  security: [{ session: [] }],
  ...(write ? { parameters: [{ $ref: '#/components/parameters/csrf' }] } : {}),
  responses: { ...responses, '401': error, '403': error },
});
const str = { type: 'string' };
const int = { type: 'integer' };

/** The console's JSON API as OpenAPI 3.1, served at `<prefix>/api/openapi.json`. */
export function openApi(prefix: string, version: string): Schema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'OpenMMSC console API',
      version,
      description:
        'Log in with POST /api/session; the answer sets the session cookie (HttpOnly, SameSite=Strict) and gives the CSRF token that every POST/DELETE must send in `x-csrf-token`. Roles: view (read), operate (actions, campaigns), admin.',
    },
    servers: [{ url: prefix }],
    components: {
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'openmmsc_console' } },
      parameters: { csrf: { name: 'x-csrf-token', in: 'header', required: true, schema: str, description: 'The `csrf` of the log-in answer.' } },
      schemas: {
        Error: { type: 'object', properties: { error: str }, required: ['error'] },
        Session: { type: 'object', properties: { user: str, role: { enum: ['view', 'operate', 'admin'] }, csrf: str, expiresAt: int } },
        SearchHit: {
          type: 'object',
          properties: { id: str, at: int, iface: str, from: str, to: { type: 'array', items: str }, vasp: str, subject: str, states: { type: 'array', items: { enum: STATE_CHOICES.filter((s) => s && s !== 'pending') } } },
        },
        SearchResult: { type: 'object', properties: { hits: { type: 'array', items: ref('SearchHit') }, scanned: int, since: int, until: int, stopped: { type: 'string', description: 'Why the bounded scan stopped early.' } } },
        HistoryEntry: { type: 'object', properties: { state: str, at: int, by: str, node: str, reason: str, event: str } },
        Recipient: { type: 'object', properties: { index: int, address: { type: 'object' }, kind: str, state: str, route: { type: 'object' }, attributes: { type: 'object' }, history: { type: 'array', items: ref('HistoryEntry') } } },
        Message: { type: 'object', properties: { message: { type: 'object' }, parts: { type: 'array', items: { type: 'object' } }, recipients: { type: 'array', items: ref('Recipient') } } },
        ActionResult: { type: 'object', properties: { ok: { type: 'boolean' }, detail: str } },
        TrafficPoint: { type: 'object', properties: { at: int, values: { type: 'object', additionalProperties: { type: 'number' } } } },
        Link: { type: 'object', properties: { kind: str, name: str, state: { enum: ['up', 'degraded', 'down'] }, since: int, detail: str } },
        Alarm: { type: 'object', properties: { id: str, text: str, since: int } },
        Campaign: {
          type: 'object',
          properties: { id: str, name: str, createdBy: str, createdAt: int, from: str, subject: str, total: int, batch: int, state: { enum: ['running', 'done', 'cancelled'] }, done: int, accepted: int, rejected: int, finishedAt: int },
        },
        CampaignInput: {
          type: 'object',
          required: ['name', 'recipients'],
          description: 'Content (from, subject, text, attachment) may come from a template: what the input leaves empty, the template gives; `from` and some content are required one way or the other.',
          properties: {
            name: str,
            template: { type: 'string', description: 'Id of a saved template.' },
            from: str,
            subject: str,
            text: str,
            recipients: { type: 'string', description: 'One recipient per line, or the first column of a CSV; # comments.' },
            batch: { type: 'integer', minimum: 1, maximum: 100 },
            attachment: { type: 'object', properties: { name: str, contentType: str, data: { type: 'string', contentEncoding: 'base64' } } },
          },
        },
        Template: {
          type: 'object',
          properties: { id: str, name: str, from: str, subject: str, text: str, media: { type: 'object', properties: { contentType: str, name: str, size: int } }, createdBy: str, createdAt: int },
        },
        TemplateInput: {
          type: 'object',
          required: ['name'],
          description: 'Either the content (from, subject, text, attachment as in CampaignInput) or `campaign`: the id of a campaign whose content to keep.',
          properties: { name: str, campaign: str, from: str, subject: str, text: str, attachment: { type: 'object', properties: { name: str, contentType: str, data: { type: 'string', contentEncoding: 'base64' } } } },
        },
        Outcome: { type: 'object', properties: { address: str, accepted: { type: 'boolean' }, status: str, messageId: str } },
      },
    },
    paths: {
      '/api/session': {
        post: {
          summary: 'Log in',
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['user', 'password'], properties: { user: str, password: str } } } } },
          responses: { '200': json(ref('Session')), '401': error, '429': error },
        },
        delete: { summary: 'Log out (with a session, its CSRF token is required)', parameters: [{ $ref: '#/components/parameters/csrf' }], responses: { '204': { description: 'Logged out; the cookie is cleared' }, '403': error } },
      },
      '/api/messages': {
        get: {
          summary: 'Search messages (bounded scan of the index, newest first)',
          parameters: ['id', 'address', 'vasp', 'iface', 'state', 'since', 'until'].map((name) => ({ name, in: 'query', schema: str })),
          ...guarded('view', { '200': json(ref('SearchResult')), '400': error }),
        },
      },
      '/api/messages/{id}': { get: { summary: 'A message: headers, parts, recipients with their history', parameters: [{ name: 'id', in: 'path', required: true, schema: str }], ...guarded('view', { '200': json(ref('Message')), '404': error }) } },
      '/messages/{id}/parts/{n}': { get: { summary: 'One part as stored (media as themselves, text as UTF-8, anything else as a download)', parameters: [{ name: 'id', in: 'path', required: true, schema: str }, { name: 'n', in: 'path', required: true, schema: int }], ...guarded('view', { '200': { description: 'The part' }, '404': error }) } },
      '/api/messages/{id}/recipients/{index}/{action}': {
        post: {
          summary: 'Act on a recipient; recorded in its history as console:<user>',
          parameters: [{ name: 'id', in: 'path', required: true, schema: str }, { name: 'index', in: 'path', required: true, schema: int }, { name: 'action', in: 'path', required: true, schema: { enum: [...ACTIONS] } }],
          ...guarded('operate', { '200': json(ref('ActionResult')), '400': json(ref('ActionResult')), '404': json(ref('ActionResult'), 'No such message'), '409': json(ref('ActionResult'), 'Nothing to do (no such recipient, or it is final)') }, true),
        },
      },
      '/api/blocked-senders': { get: { summary: 'Senders blocked by operators', ...guarded('view', { '200': json({ type: 'object', properties: { blocked: { type: 'array', items: { type: 'object' } } } }) }) } },
      '/api/blocked-senders/{address}': { delete: { summary: 'Unblock a sender', parameters: [{ name: 'address', in: 'path', required: true, schema: str }], ...guarded('operate', { '200': json(ref('ActionResult')) }, true) } },
      '/api/traffic': {
        get: {
          summary: "The cluster's traffic samples (rates per second, m-send-conf latency in ms, queue depths): every node added up in `points` (latency and queue depth: the largest any node saw), and each node's own in `nodes`",
          parameters: [{ name: 'range', in: 'query', schema: { enum: ['hour', 'day'] } }],
          ...guarded('view', {
            '200': json({
              type: 'object',
              properties: {
                range: str,
                groups: { type: 'object' },
                points: { type: 'array', items: ref('TrafficPoint') },
                nodes: { type: 'array', items: { type: 'object', properties: { node: str, points: { type: 'array', items: ref('TrafficPoint') } } } },
              },
            }),
          }),
        },
      },
      '/api/links': { get: { summary: 'Links and peers with their state, and the active alarms', ...guarded('view', { '200': json({ type: 'object', properties: { links: { type: 'array', items: ref('Link') }, alarms: { type: 'array', items: ref('Alarm') } } }) }) } },
      '/api/campaigns': {
        get: { summary: 'Campaigns, newest first', ...guarded('view', { '200': json({ type: 'object', properties: { campaigns: { type: 'array', items: ref('Campaign') } } }) }) },
        post: { summary: 'Start a campaign (durable: any node works on it, a restart resumes it)', requestBody: { required: true, content: { 'application/json': { schema: ref('CampaignInput') } } }, ...guarded('operate', { '201': json(ref('Campaign')), '400': error }, true) },
      },
      '/api/campaigns/{id}': { get: { summary: 'A campaign with each recipient\'s outcome so far', parameters: [{ name: 'id', in: 'path', required: true, schema: str }], ...guarded('view', { '200': json({ type: 'object', properties: { campaign: ref('Campaign'), outcomes: { type: 'array', items: ref('Outcome') } } }), '404': error }) } },
      '/api/templates': {
        get: { summary: 'Campaign templates, newest first', ...guarded('view', { '200': json({ type: 'object', properties: { templates: { type: 'array', items: ref('Template') } } }) }) },
        post: { summary: "Save content, or a campaign's content, as a named template", requestBody: { required: true, content: { 'application/json': { schema: ref('TemplateInput') } } }, ...guarded('operate', { '201': json(ref('Template')), '400': error, '409': json(ref('Error'), 'A template of that name exists') }, true) },
      },
      '/api/templates/{id}': { delete: { summary: 'Delete a template', parameters: [{ name: 'id', in: 'path', required: true, schema: str }], ...guarded('operate', { '200': json({ type: 'object', properties: { deleted: str } }), '404': error }, true) } },
      '/campaigns/{id}/report.csv': { get: { summary: 'The per-recipient report', parameters: [{ name: 'id', in: 'path', required: true, schema: str }], ...guarded('view', { '200': { description: 'CSV: recipient,outcome,status,message_id', content: { 'text/csv': {} } }, '404': error }) } },
    },
  };
}

export function openApiRoute(scope: FastifyInstance, prefix: string, version: string): void {
  const doc = JSON.stringify(openApi(prefix, version));
  // A description of the API, no data: readable without a session, like /metrics.
  scope.get('/api/openapi.json', async (_req, reply) => reply.type('application/json; charset=utf-8').send(doc));
}
