import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpClient, makePng, makeWav, requireSystem, systemCommand, waitFor } from '@openmmsc/testkit';
import { chromium, type Browser } from 'playwright-core';
import { setMmsCapable } from '../src/index.js';
import { startRig, stateOf, type Rig } from './helpers.js';
import { A, C, D } from './phones.js';

const F = '+15550000006';
const G = '+15550000007';

describe('handsets without MMS: a text SMS with a web link, the page opened in Chromium', { skip: requireSystem('chromium') }, () => {
  let rig: Rig;
  let browser: Browser;
  const http = new HttpClient(2);
  before(async () => {
    browser = await chromium.launch({
      // CHROMIUM_PATH names another browser binary.
      executablePath: systemCommand('chromium', 'chromium'),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    rig = await startRig({
      phones: [{ msisdn: A }, { msisdn: C, mode: 'manual' }, { msisdn: D, mode: 'unrecognised' }, { msisdn: F, mode: 'manual' }, { msisdn: G, mode: 'manual' }],
      mm1: { subscribers: [{ msisdn: C, mmsCapable: false }], legacy: { afterUnretrieved: 250 } },
      config: { jobs: { renotify: { after: 150, max: 4 } } },
    });
  });
  after(async () => {
    http.close();
    await browser?.close();
    await rig?.stop();
  });

  it('a subscriber marked without MMS gets an SMS link; the page shows text, image, audio and video', async () => {
    const a = rig.phone(A);
    const c = rig.phone(C);
    const image = makePng(160, 100, 5);
    const sent = await a.send({
      to: C,
      subject: 'Holiday <3',
      text: 'Greetings from the beach & the sea',
      attachments: [
        { contentType: 'image/png', data: image, name: 'beach.png' },
        { contentType: 'audio/wav', data: makeWav(400), name: 'waves.wav' },
        { contentType: 'video/mp4', data: Buffer.alloc(64, 0), name: 'clip.mp4' },
      ],
      deliveryReport: true,
    });
    assert.equal(sent.status, 'ok');
    const sms = await c.waitForText((t) => t.includes('/v/'));
    assert.equal(c.notifications.length, 0, 'no WAP Push went to a handset without MMS');
    assert.match(sms, /^MMS from \+15550000001: Holiday <3 View it at http:\/\/127\.0\.0\.1:\d+\/v\/\S+$/);
    assert.ok(sms.length <= 160, `the SMS fits one message (${sms.length} characters)`);
    const url = /(http:\/\/\S+)/.exec(sms)![1]!;

    const page = await browser.newPage();
    try {
      const response = await page.goto(url);
      assert.equal(response?.status(), 200);
      assert.equal(await page.title(), 'Holiday <3');
      assert.equal(await page.textContent('#from'), A);
      assert.equal(await page.textContent('p.text'), 'Greetings from the beach & the sea');
      const img = await page.waitForFunction(() => {
        const el = document.querySelector('img');
        return el && el.complete && el.naturalWidth > 0 ? { w: el.naturalWidth, h: el.naturalHeight } : null;
      });
      assert.deepEqual(await img.jsonValue(), { w: 160, h: 100 });
      const audio = await page.waitForFunction(() => {
        const el = document.querySelector('audio');
        return el && el.readyState >= 1 && Number.isFinite(el.duration) ? el.duration : null;
      });
      assert.ok(Math.abs((await audio.jsonValue()) - 0.4) < 0.05);
      assert.equal(await page.getAttribute('video', 'src'), new URL(url).pathname + '/part/3');
      assert.equal(await page.$$eval('video[controls], audio[controls]', (els) => els.length), 2);
    } finally {
      await page.close();
    }
    const part = await http.send(`${url}/part/3`, { headers: { range: 'bytes=0-9' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-type'], 'video/mp4');
    await waitFor('delivered after the page was viewed', async () => (await stateOf(rig, sent.messageId!)) === 'delivered');
    assert.equal((await a.waitForDeliveryReport((r) => r.messageId === sent.messageId)).status, 'retrieved');
    // A tampered link opens nothing.
    const bad = await http.send(url.replace(/.$/, (ch) => (ch === 'a' ? 'b' : 'a')));
    assert.equal(bad.status, 404);
    assert.match(bad.body.toString(), /not valid/);
  });

  it('a handset that answers Unrecognised gets the web link instead', async () => {
    const sent = await rig.phone(A).send({ to: D, subject: 'try this', text: 'plain' });
    assert.equal(sent.status, 'ok');
    const sms = await rig.phone(D).waitForText((t) => t.includes('/v/'));
    const page = await browser.newPage();
    try {
      await page.goto(/(http:\/\/\S+)/.exec(sms)![1]!);
      assert.equal(await page.textContent('p.text'), 'plain');
    } finally {
      await page.close();
    }
  });

  it('a recipient that does not fetch within the configured time gets the link on re-notification, and is remembered', async () => {
    const sent = await rig.phone(A).send({ to: F, subject: 'wake up', text: 'x' });
    const f = rig.phone(F);
    await f.waitForNotification((n) => n.subject?.text === 'wake up');
    const sms = await f.waitForText((t) => t.includes('wake up'), 5000);
    assert.match(sms, /\/v\//);
    // The next message goes straight to SMS.
    const before = f.notifications.length;
    await rig.phone(A).send({ to: F, subject: 'second', text: 'y' });
    await f.waitForText((t) => t.includes('second'), 5000);
    assert.equal(f.notifications.length, before);
    void sent;
  });

  it('subscribers can be marked at run time', async () => {
    await setMmsCapable(rig.t.mmsc, G, false);
    await rig.phone(A).send({ to: G, subject: 'marked', text: 'z' });
    await rig.phone(G).waitForText((t) => t.includes('marked'));
    await setMmsCapable(rig.t.mmsc, G, true);
    await rig.phone(A).send({ to: G, subject: 'unmarked', text: 'z' });
    await rig.phone(G).waitForNotification((n) => n.subject?.text === 'unmarked');
  });
});
