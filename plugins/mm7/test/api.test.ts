import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { buildMessage, suiteFixture, waitFor } from '@openmmsc/testkit';
import { parse as parseYaml } from 'yaml';
import { sendRequest, webhookSignature } from '../src/index.js';
import { counter, PASSWORD, startHarness } from './helpers.js';
import { basic, rawRequest } from './raw-http.js';

interface Hook {
  url: string;
  events: Array<{ body: Record<string, unknown>; signature: string | undefined; raw: string }>;
  failNext: number;
  stop(): Promise<void>;
}

async function webhookReceiver(): Promise<Hook> {
  const hook: Hook = { url: '', events: [], failNext: 0, stop: async () => undefined };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (hook.failNext > 0) {
        hook.failNext--;
        res.writeHead(503).end();
        return;
      }
      hook.events.push({ body: JSON.parse(raw) as Record<string, unknown>, signature: req.headers['x-openmmsc-signature'] as string | undefined, raw });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hook.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  hook.stop = () => new Promise<void>((r) => server.close(() => r()));
  return hook;
}

const basicHeader = () => ({ Authorization: basic('app', 'app-pw') });
const auth = (user = 'app', pw = 'app-pw') => ({ authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` });

describe('plain HTTP send API', () => {
  // Stopped in this order too: the webhook receiver (closing idle connections), then the MMSC.
  const hook = suiteFixture(webhookReceiver);
  const h = suiteFixture(() =>
    startHarness({
      accounts: [
        { id: 'app', password: 'app-pw', shortCodes: ['4455'], webhook: { url: hook.url, secret: 'hook-secret' }, maxRecipients: 5 },
        { id: 'tiny', password: 'tiny-pw', shortCodes: ['4466'], throughput: 1, burst: 1 },
        { id: 'other', password: 'other-pw', shortCodes: ['4477'] },
      ],
    }),
  );
  let api: string;
  before(() => {
    api = `${h.base}/api/v1`;
  });

  it('sends JSON with text and an attachment; per-recipient outcomes; status and delivery report webhook', async () => {
    const res = await fetch(`${api}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth() },
      body: JSON.stringify({
        to: ['+15550000020', 'not a number'],
        subject: 'Alert',
        text: 'Door open',
        attachments: [{ contentType: 'image/png', filename: 'cam.png', data: Buffer.from('PNGDATA').toString('base64') }],
        deliveryReport: true,
      }),
    });
    assert.equal(res.status, 202);
    const body = (await res.json()) as { messageId: string; status: string; recipients: Array<{ address: string; status: string }> };
    assert.equal(body.status, 'partial');
    assert.deepEqual(body.recipients.map((r) => r.status).sort(), ['accepted', 'rejected']);
    const stored = await h.t.mmsc.getMessage(body.messageId);
    assert.equal(stored?.headers.from.value, '4455');
    assert.equal(stored?.origin.attributes?.channel, 'api');
    const parts = await h.t.mmsc.getParts(body.messageId);
    assert.equal(parts?.[1]?.contentLocation, 'cam.png');

    const status = await fetch(`${api}/messages/${body.messageId}`, { headers: auth() });
    assert.equal(status.status, 200);
    const st = (await status.json()) as { recipients: Array<{ state: string }> };
    assert.ok(['charged', 'notified'].includes(st.recipients[0]!.state));
    const other = await fetch(`${api}/messages/${body.messageId}`, { headers: auth('other', 'other-pw') });
    assert.equal(other.status, 404);

    await waitFor('notified', () => h.pushes.find((p) => p.notification.messageId === body.messageId));
    await h.t.mmsc.transition(body.messageId, 0, 'retrieved', { by: 'mm1' });
    await h.t.mmsc.transition(body.messageId, 0, 'delivered', { by: 'mm1' });
    const event = await waitFor('delivery-report webhook', () => hook.events.find((e) => e.body.event === 'delivery-report' && e.body.messageId === body.messageId));
    assert.equal(event.body.status, 'retrieved');
    assert.equal(event.body.recipient, '+15550000020');
    assert.equal(event.signature, webhookSignature('hook-secret', event.raw));

    // An event noted after the last move (a CDR written) is not the recipient's status.
    const moved = (await h.t.mmsc.getRecipients(body.messageId))[0]!.history.findLast((e) => !e.event)!;
    await h.t.mmsc.recordEvent(body.messageId, 0, { by: 'billing', event: 'cdr-written', reason: 'MMR1A 0f0e' });
    const after = (await (await fetch(`${api}/messages/${body.messageId}`, { headers: auth() })).json()) as { recipients: Array<{ state: string; at?: string; reason?: string }> };
    assert.deepEqual(after.recipients[0], { address: '+15550000020', state: 'delivered', at: new Date(moved.at).toISOString() });
  });

  it('accepts a multipart/form-data upload', async () => {
    const form = new FormData();
    form.append('to', '+15550000021,+15550000022');
    form.append('subject', 'Photo');
    form.append('text', 'see attached');
    form.append('file', new Blob([Buffer.from('GIF89a....')], { type: 'image/gif' }), 'pic.gif');
    const res = await fetch(`${api}/messages`, { method: 'POST', headers: auth(), body: form });
    assert.equal(res.status, 202, await res.clone().text());
    const body = (await res.json()) as { messageId: string; recipients: unknown[] };
    assert.equal(body.recipients.length, 2);
    const parts = await h.t.mmsc.getParts(body.messageId);
    assert.deepEqual(parts?.map((p) => p.contentType.type), ['text/plain', 'image/gif']);
    assert.equal(Buffer.from(parts![1]!.data).toString(), 'GIF89a....');
  });

  it('cancels with DELETE', async () => {
    const res = await fetch(`${api}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth() }, body: JSON.stringify({ to: '+15550000023', text: 'later', deliveryTime: 'PT1H' }) });
    const { messageId } = (await res.json()) as { messageId: string };
    const del = await fetch(`${api}/messages/${messageId}`, { method: 'DELETE', headers: auth() });
    assert.equal(del.status, 200);
    assert.equal(((await del.json()) as { cancelled: number }).cancelled, 1);
    const again = await fetch(`${api}/messages/${messageId}`, { method: 'DELETE', headers: auth() });
    assert.equal(again.status, 409);
  });

  it('same auth and limits as MM7: 401, 403 sender, 400 validation, 403 too many recipients, 429 over throughput', async () => {
    const send = (body: unknown, headers: Record<string, string> = auth()) =>
      fetch(`${api}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    assert.equal((await send({ to: '+15550000024', text: 'x' }, {})).status, 401);
    assert.equal((await send({ to: '+15550000024', text: 'x' }, auth('app', 'bad'))).status, 401);
    assert.equal((await send({ to: '+15550000024', text: 'x', from: '99999' })).status, 403);
    assert.equal((await send({ text: 'no recipient' })).status, 400);
    assert.equal((await send({ to: '+15550000024' })).status, 400);
    assert.equal((await send({ to: ['+15550000031', '+15550000032', '+15550000033', '+15550000034', '+15550000035', '+15550000036'], text: 'x' })).status, 403);
    const bad = await fetch(`${api}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth() }, body: '{not json' });
    assert.equal(bad.status, 400);
    const first = await send({ to: '+15550000025', text: 'x' }, auth('tiny', 'tiny-pw'));
    assert.equal(first.status, 202);
    const second = await send({ to: '+15550000025', text: 'x' }, auth('tiny', 'tiny-pw'));
    assert.equal(second.status, 429);
    assert.ok(Number(second.headers.get('retry-after')) >= 1);
  });

  it('MO messages to the account\'s short code arrive as a webhook (retried after a 503)', async () => {
    hook.failNext = 1;
    const mo = await h.t.mmsc.submit({ message: buildMessage({ from: '+15550000026', to: '4455', text: 'YES' }), origin: { interface: 'mm1' } });
    const event = await waitFor('mo-message webhook', () => hook.events.find((e) => e.body.event === 'mo-message' && e.body.messageId === mo.messageId), { timeoutMs: 15_000 });
    assert.equal(event.body.from, '+15550000026');
    assert.equal(event.body.to, '4455');
    const parts = event.body.parts as Array<{ data: string }>;
    assert.equal(Buffer.from(parts[0]!.data, 'base64').toString(), 'YES');
  });

  it('refuses an attachment whose base64 is cut short or invalid (400 format-corrupt), and a body cut short', async () => {
    const before = await counter(h, 'openmmsc_submissions_total', { interface: 'mm7' });
    for (const data of ['R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAE', 'R0lGOD*hAQAB']) {
      const body = `{"to":"+15550000030","text":"x","attachments":[{"contentType":"image/gif","data":"${data}"}]}`;
      const res = await rawRequest(`${api}/messages`, { body, headers: { ...basicHeader(), 'Content-Type': 'application/json' } });
      assert.equal(res.status, 400, res.body);
      assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, 'format-corrupt');
    }
    const body = '{"to":"+15550000030","text":"cut short"}';
    const cut = await rawRequest(`${api}/messages`, { body, contentLength: body.length + 10, halfClose: true, headers: { ...basicHeader(), 'Content-Type': 'application/json' } });
    assert.equal(cut.status, 400, cut.body);
    assert.equal((JSON.parse(cut.body) as { error: { code: string } }).error.code, 'format-corrupt');
    assert.equal(await counter(h, 'openmmsc_submissions_total', { interface: 'mm7' }), before);
  });

  it('serves its OpenAPI description', async () => {
    const res = await fetch(`${api}/openapi.yaml`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.equal(text, await readFile(new URL('../openapi.yaml', import.meta.url), 'utf8'));
    assert.match(text, /openapi: 3\.0\.3/);
    const doc = parseYaml(text) as { paths: Record<string, Record<string, unknown>>; components: { schemas: { SendRequest: { properties: Record<string, unknown> } } } };
    assert.deepEqual(Object.keys(doc.paths.messages ? {} : doc.paths).sort(), ['/messages', '/messages/{id}', '/openapi.yaml']);
    assert.deepEqual(Object.keys(doc.paths['/messages/{id}']!).filter((k) => k !== 'parameters').sort(), ['delete', 'get']);
    // The documented request body is the one the server validates.
    assert.deepEqual(Object.keys(doc.components.schemas.SendRequest.properties).sort(), Object.keys(sendRequest.shape).sort());
    void PASSWORD;
  });
});
