import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePng, recordingPushBearer, routeAllTo, startTestMmsc, waitFor, type TestMmsc } from '@openmmsc/testkit';
import consolePlugin from '../src/index.js';
import type { TemplateSummary } from '../src/campaigns/templates.js';
import { login, testAccounts, type Login } from './rig.js';

describe('campaign templates: save, list, use and delete (role operate, CSRF)', () => {
  let t: TestMmsc;
  let base: string;
  let olga: Login;
  let victor: Login;
  const image = makePng(20, 10, 3);
  before(async () => {
    t = await startTestMmsc({ plugins: [routeAllTo('local'), recordingPushBearer().plugin, { plugin: consolePlugin, options: { accounts: await testAccounts() } }] });
    base = `${t.mmsc.adminUrl}/console`;
    olga = await login(base, 'olga');
    victor = await login(base, 'victor');
  });
  after(async () => t?.stop());

  const send = (s: Login, method: string, path: string, body?: unknown, csrf = true) =>
    fetch(`${base}${path}`, { method, headers: { cookie: s.cookie, ...(csrf ? { 'x-csrf-token': s.csrf } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const list = async (s: Login) => ((await (await send(s, 'GET', '/api/templates')).json()) as { templates: TemplateSummary[] }).templates;
  const spring = { name: 'Spring', from: '12345', subject: 'Spring!', text: 'Flowers at half price', attachment: { name: 'flowers.png', contentType: 'image/png', data: image.toString('base64') } };

  it('saves content with an image as a template that any role lists; view may not save or delete, nor anyone without the CSRF token', async () => {
    assert.equal((await send(victor, 'POST', '/api/templates', spring)).status, 403, 'view role');
    assert.equal((await send(olga, 'POST', '/api/templates', spring, false)).status, 403, 'no CSRF token');
    const res = await send(olga, 'POST', '/api/templates', spring);
    assert.equal(res.status, 201);
    const saved = (await res.json()) as TemplateSummary;
    assert.deepEqual({ name: saved.name, from: saved.from, subject: saved.subject, text: saved.text, createdBy: saved.createdBy }, { name: 'Spring', from: '12345', subject: 'Spring!', text: 'Flowers at half price', createdBy: 'olga' });
    assert.deepEqual(saved.media, { contentType: 'image/png', name: 'flowers.png', size: image.length });
    assert.deepEqual((await list(victor)).map((x) => x.id), [saved.id]);
    assert.equal((await send(olga, 'POST', '/api/templates', { ...spring, name: 'spring' })).status, 409, 'a name in use (any case)');
    assert.equal((await send(olga, 'POST', '/api/templates', { name: 'empty', from: '1' })).status, 400, 'no content');
    assert.equal((await send(victor, 'DELETE', `/api/templates/${saved.id}`)).status, 403);
    // The campaign form offers it, filled in from the template.
    const page = await (await fetch(`${base}/campaigns?template=${saved.id}`, { headers: { cookie: olga.cookie } })).text();
    assert.match(page, new RegExp(`<option value="${saved.id}" data-from="12345" data-subject="Spring!" data-text="Flowers at half price" selected>Spring \\(\\+ image/png\\)</option>`));
    assert.match(page, new RegExp(`<tr data-template="${saved.id}"><td>Spring</td>`));
  });

  it('a campaign started from a template sends its sender, subject, text and image; the form may override the text', async () => {
    const [tpl] = await list(olga);
    const start = async (extra: Record<string, unknown>) => {
      const res = await send(olga, 'POST', '/api/campaigns', { name: 'from template', recipients: '+15550001001\n+15550001002', template: tpl!.id, ...extra });
      assert.equal(res.status, 201, await res.clone().text());
      const { id } = (await res.json()) as { id: string };
      const got = await waitFor('campaign done', async () => {
        const c = (await (await send(olga, 'GET', `/api/campaigns/${id}`)).json()) as { campaign: { state: string; from: string; subject: string }; outcomes: Array<{ messageId?: string }> };
        return c.campaign.state === 'done' && c;
      });
      const message = await t.mmsc.getMessage(got.outcomes[0]!.messageId!);
      const parts = (await t.mmsc.getParts(got.outcomes[0]!.messageId!))!;
      return { campaign: got.campaign, message, parts };
    };
    const plain = await start({});
    assert.equal(plain.campaign.from, '12345');
    assert.equal(plain.message?.headers.subject?.text, 'Spring!');
    assert.deepEqual(plain.parts.map((p) => p.contentType.type), ['text/plain', 'image/png']);
    assert.equal(Buffer.from(plain.parts[0]!.data).toString(), 'Flowers at half price');
    assert.deepEqual(Buffer.from(plain.parts[1]!.data), image);
    const changed = await start({ text: 'Tulips too', subject: 'Spring, again' });
    assert.equal(changed.message?.headers.subject?.text, 'Spring, again');
    assert.equal(Buffer.from(changed.parts[0]!.data).toString(), 'Tulips too');
    assert.deepEqual(Buffer.from(changed.parts[1]!.data), image, "the template's image stays");
  });

  it("keeps a campaign's content as a template from its page, and deletes templates; a deleted template starts nothing", async () => {
    const created = await send(olga, 'POST', '/api/campaigns', { name: 'autumn run', from: '777', subject: 'Autumn', text: 'Leaves', recipients: '+15550002001' });
    const { id } = (await created.json()) as { id: string };
    const form = await fetch(`${base}/campaigns/${id}/template`, { method: 'POST', redirect: 'manual', headers: { cookie: olga.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: olga.csrf, name: 'Autumn' }).toString() });
    assert.equal(form.status, 303);
    const autumn = (await list(olga)).find((x) => x.name === 'Autumn')!;
    assert.deepEqual({ from: autumn.from, subject: autumn.subject, text: autumn.text, media: autumn.media }, { from: '777', subject: 'Autumn', text: 'Leaves', media: undefined });
    assert.match((await form.headers.get('location')) ?? '', new RegExp(`/campaigns\\?template=${autumn.id}$`));

    const del = await fetch(`${base}/templates/${autumn.id}/delete`, { method: 'POST', redirect: 'manual', headers: { cookie: olga.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: olga.csrf }).toString() });
    assert.equal(del.status, 303);
    const spring = (await list(olga)).find((x) => x.name === 'Spring')!;
    assert.equal((await send(olga, 'DELETE', `/api/templates/${spring.id}`)).status, 200);
    assert.equal((await send(olga, 'DELETE', `/api/templates/${spring.id}`)).status, 404);
    assert.deepEqual(await list(olga), []);
    const refused = await send(olga, 'POST', '/api/campaigns', { name: 'x', recipients: '+15550003001', template: spring.id });
    assert.equal(refused.status, 400);
    assert.match(((await refused.json()) as { error: string }).error, /no such template/);
  });
});
