import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePng, requireSystem, systemCommand, waitFor } from '@openmmsc/testkit';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startConsoleRig, type ConsoleRig } from './mm1-rig.js';
import { PASSWORDS } from './rig.js';

describe('a 100-recipient campaign run from the console in Chromium', { skip: requireSystem('chromium') }, () => {
  let rig: ConsoleRig;
  let browser: Browser;
  let page: Page;
  before(async () => {
    browser = await chromium.launch({
      executablePath: systemCommand('chromium', 'chromium'),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    rig = await startConsoleRig({ phones: [] });
    page = await browser.newPage();
    await page.goto(`${rig.base}/login`);
    await page.fill('input[name=user]', 'olga');
    await page.fill('input[name=password]', PASSWORDS.olga);
    await Promise.all([page.waitForURL(/\/console\/messages$/), page.click('form.login button')]);
  });
  after(async () => {
    await browser?.close();
    await rig?.stop();
  });

  it('uploads a recipient list and an image, follows the progress to the end, and downloads the per-recipient report', async () => {
    const good = Array.from({ length: 98 }, (_, i) => `+1555${String(8_000_000 + i)}`);
    const list = ['# spring campaign', ...good, '+4915112345678', 'not a number', ''].join('\n');
    await page.goto(`${rig.base}/campaigns`);
    await page.fill('input[name=name]', 'Spring offer');
    await page.fill('input[name=from]', '12345');
    await page.fill('input[name=subject]', 'Spring!');
    await page.fill('textarea[name=text]', 'Flowers at half price');
    await page.setInputFiles('input[name=recipientFile]', { name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from(list) });
    await page.setInputFiles('input[name=attachment]', { name: 'flowers.png', mimeType: 'image/png', buffer: makePng(40, 30, 2) });
    await Promise.all([page.waitForURL(/\/console\/campaigns\/[A-Za-z0-9_-]+$/), page.click('#new-campaign button')]);

    await waitFor('campaign done on the open page', async () => (await page.locator('.campaign-state').textContent()) === 'done', { timeoutMs: 60_000, intervalMs: 250 });
    assert.equal(await page.locator('progress').getAttribute('value'), '100');
    assert.equal(await page.locator('.done').textContent(), '100');
    assert.equal(await page.locator('table.outcomes tbody tr').count(), 100);
    assert.equal(await page.locator('table.outcomes tbody tr.ok').count(), 98);

    const href = await page.locator('a[download]').getAttribute('href');
    const cookies = await page.context().cookies();
    const res = await fetch(new URL(href!, rig.base), { headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition') ?? '', /Spring_offer-report\.csv/);
    const lines = (await res.text()).trim().split('\r\n');
    assert.equal(lines.length, 101);
    assert.equal(lines[0], 'recipient,outcome,status,message_id');
    const refused = lines.filter((l) => l.includes(',rejected,'));
    assert.equal(refused.length, 2);
    assert.match(refused.find((l) => l.startsWith('+4915112345678'))!, /no-route|no route/);
    assert.match(refused.find((l) => l.startsWith('not a number'))!, /address-unresolved/);
    // Each refused recipient has its own reason (not the first one's).
    assert.notEqual(refused[0]!.split(',')[2], refused[1]!.split(',')[2]);

    // Every accepted recipient's message is in the store, with the image.
    const first = lines.find((l) => l.startsWith(good[0]!))!.split(',')[3]!;
    const parts = await rig.t.mmsc.getParts(first);
    assert.deepEqual(parts?.map((p) => p.contentType.type), ['text/plain', 'image/png']);

    // Its content kept as a template: the campaign form comes back filled in from it.
    await page.fill('form.save-template input[name=name]', 'Spring template');
    await Promise.all([page.waitForURL(/\/console\/campaigns\?template=/), page.click('form.save-template button')]);
    assert.equal(await page.locator('#template option:checked').textContent(), 'Spring template (+ image/png)');
    await waitFor('form filled from the template', async () => (await page.inputValue('textarea[name=text]')) === 'Flowers at half price', { timeoutMs: 5000 });
    assert.equal(await page.inputValue('input[name=from]'), '12345');
    assert.equal(await page.inputValue('input[name=subject]'), 'Spring!');
    assert.equal(await page.locator('table.templates tr[data-template]').count(), 1);
  });
});
