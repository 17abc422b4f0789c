import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePng, requireSystem, systemCommand, waitFor } from '@openmmsc/testkit';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startConsoleRig, type ConsoleRig } from './mm1-rig.js';
import { PASSWORDS } from './rig.js';

const A = '+15550000001';
const B = '+15550000002';

describe('the console in Chromium: log in, trace an MM1 message, watch traffic and links', { skip: requireSystem('chromium') }, () => {
  let rig: ConsoleRig;
  let browser: Browser;
  let page: Page;
  const cspErrors: string[] = [];
  before(async () => {
    browser = await chromium.launch({
      executablePath: systemCommand('chromium', 'chromium'),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    rig = await startConsoleRig({ phones: [A, B] });
    page = await browser.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(m.text());
    });
  });
  after(async () => {
    await browser?.close();
    await rig?.stop();
  });

  it('logs in with the form and lands on the message search', async () => {
    await page.goto(`${rig.base}/messages`);
    assert.match(page.url(), /\/console\/login\?next=/, 'an anonymous visit is sent to the log-in form');
    await page.fill('input[name=user]', 'alice');
    await page.fill('input[name=password]', PASSWORDS.alice);
    await Promise.all([page.waitForURL(/\/console\/messages$/), page.click('form.login button')]);
    assert.equal(await page.locator('h2').textContent(), 'Messages');
    assert.match((await page.locator('.who').textContent()) ?? '', /alice \(admin\)/);
  });

  it('finds a message sent over MM1 by the recipient MSISDN and shows its journey: push with the SMSC answer, fetch, delivery', async () => {
    const image = makePng(90, 60, 4);
    const sent = await rig.phone(A).send({ to: B, subject: 'Console trace', text: 'Where is my MMS?', attachments: [{ contentType: 'image/png', data: image, name: 'pic.png' }] });
    assert.equal(sent.status, 'ok');
    await rig.phone(B).waitForMessage((m) => m.pdu.messageId === sent.messageId);
    await waitFor('delivered', async () => (await rig.t.mmsc.getRecipients(sent.messageId!))[0]?.state === 'delivered');

    await page.fill('input[name=address]', '15550000002');
    await page.locator('form.search button').click();
    await page.waitForURL(/address=/);
    const link = page.locator(`table.results a:text("${sent.messageId}")`);
    await waitFor('search lists it', async () => (await link.count()) === 1, { timeoutMs: 5000 });
    await Promise.all([page.waitForURL(new RegExp(`/messages/${sent.messageId}$`)), link.click()]);

    const recipient = page.locator(`article.recipient[data-address="${B}"]`);
    assert.equal(await recipient.locator('.state').first().textContent(), 'delivered');
    const kinds = await recipient.locator('table.timeline tr[data-kind]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.kind));
    // A handset quicker than the SMSC's answer fetches before the push is recorded: MM1 then moves
    // the recipient through `notified` itself and the push shows as a `pushed` event after it.
    assert.deepEqual(kinds.filter((k) => k !== 'delivery-report-sent' && k !== 'pushed'), ['received', 'routed', 'charged', 'notified', 'retrieved', 'delivered']);
    const push = recipient.locator('table.timeline tr[data-kind=notified], table.timeline tr[data-kind=pushed]').filter({ hasText: 'plugin-push-smpp' });
    assert.equal(await push.count(), 1, 'one push row, by the SMPP bearer');
    const pushText = (await push.textContent()) ?? '';
    assert.match(pushText, /notification pushed \(@openmmsc\/plugin-push-smpp\)/);
    const smscId = rig.smsc.submits.find((s) => s.destinationAddr.endsWith('15550000002'))!.messageId;
    assert.ok(pushText.includes(smscId), `the push row carries the SMSC's message id ${smscId}: ${pushText}`);
    assert.match((await recipient.locator('table.timeline tr[data-kind=retrieved]').textContent()) ?? '', /fetched by the handset \(@openmmsc\/plugin-mm1\)/);
    assert.match((await push.locator('td').nth(4).textContent()) ?? '', /\S/, 'the node is named');

    const img = page.locator('img.part-image');
    await waitFor('image shown', async () => (await img.evaluate((e) => (e as HTMLImageElement).naturalWidth)) === 90, { timeoutMs: 5000 });
    assert.equal(await page.locator('pre.text').textContent(), 'Where is my MMS?');
    assert.match((await page.locator('section.pdu').textContent()) ?? '', /m-retrieve-conf/);
    assert.match((await page.locator('section.headers').textContent()) ?? '', /Console trace/);
  });

  it('draws the live traffic by itself (SVG, no reload) with the MM1 submission', async () => {
    await page.goto(`${rig.base}/traffic`);
    const line = page.locator('figure[data-group=submitted] polyline[data-series="submitted mm1 accepted"]');
    await waitFor('submission series drawn', async () => (await line.count()) === 1, { timeoutMs: 8000 });
    const first = await page.locator('#updated').textContent();
    await waitFor('chart updates itself', async () => (await page.locator('#updated').textContent()) !== first, { timeoutMs: 5000 });
    await waitFor('queue chart has series', async () => (await page.locator('figure[data-group=queued] polyline').count()) > 0, { timeoutMs: 5000 });
    // The per-node breakdown lists this node, with a link to its own charts.
    const node = page.locator('#per-node tr[data-node]');
    await waitFor('per-node row', async () => (await node.count()) === 1, { timeoutMs: 5000 });
    assert.match((await node.locator('a').getAttribute('href')) ?? '', /\/traffic\?range=hour&node=/);
  });

  it('shows the SMSC bind up, then down with an alarm when the SMSC stops', async () => {
    await page.goto(`${rig.base}/links`);
    const row = page.locator('tr.link[data-link="smsc:smsc-a"]');
    await waitFor('link up', async () => (await row.locator('.state').textContent()) === 'up', { timeoutMs: 5000 });
    await rig.smsc.stop();
    await waitFor('link down on the open page', async () => (await row.locator('.state').textContent()) === 'down', { timeoutMs: 10_000 });
    await waitFor('alarm shown', async () => (await page.locator('li.alarm[data-alarm="link:smsc:smsc-a"]').count()) === 1, { timeoutMs: 5000 });
    const metrics = await (await fetch(`${rig.t.mmsc.adminUrl}/metrics`)).text();
    assert.match(metrics, /openmmsc_console_alarms_active\{alarm="link:smsc:smsc-a"\} 1/);
  });

  it('loaded no script or style the CSP refused', () => {
    assert.deepEqual(cspErrors, []);
  });
});
