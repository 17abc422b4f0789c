import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import chargeCdrFile from '@openmmsc/plugin-charge-cdr-file';
import { waitFor } from '@openmmsc/testkit';
import { startConsoleRig, type ConsoleRig } from './mm1-rig.js';
import { login, type Login } from './rig.js';

const A = '+15550000011';
const B = '+15550000012';

interface Entry {
  state: string;
  event?: string;
  by: string;
  reason?: string;
}

describe('the timeline shows the charging records written and any event a plugin records', () => {
  let rig: ConsoleRig;
  let dir: string;
  let s: Login;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openmmsc-console-cdr-'));
    rig = await startConsoleRig({ phones: [A, B], extraPlugins: [{ plugin: chargeCdrFile, options: { path: join(dir, 'cdr.jsonl'), fsync: false } }] });
    s = await login(rig.base, 'victor');
  });
  after(async () => {
    await rig?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const history = async (id: string) =>
    ((await (await fetch(`${rig.base}/api/messages/${id}`, { headers: { cookie: s.cookie } })).json()) as { recipients: Array<{ history: Entry[] }> }).recipients[0]!.history;
  const page = async (id: string) => (await fetch(`${rig.base}/messages/${encodeURIComponent(id)}`, { headers: { cookie: s.cookie } })).text();

  it('each CDR the backend wrote for the recipient is a row with its record type and id', async () => {
    const sent = await rig.phone(A).send({ to: B, text: 'bill me' });
    assert.equal(sent.status, 'ok');
    const id = sent.messageId!;
    // The file the billing system reads is the oracle: every record of this message.
    const cdrs = await waitFor('the delivery CDR', async () => {
      const lines = (await readFile(join(dir, 'cdr.jsonl'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
      const mine = lines.map((l) => JSON.parse(l) as { cdrId: string; recordType: string; messageID: string }).filter((c) => c.messageID === id);
      return mine.some((c) => c.recordType === 'MMR1A') && mine;
    });
    assert.deepEqual(cdrs.map((c) => c.recordType).sort(), ['MMO1S', 'MMR1A', 'MMR1NRq', 'MMR1Rt']);
    const h = await waitFor('every CDR in the history', async () => {
      const got = await history(id);
      return got.filter((e) => e.event === 'cdr-written').length === cdrs.length && got;
    });
    for (const c of cdrs) {
      const row = h.find((e) => e.event === 'cdr-written' && e.reason === `${c.recordType} ${c.cdrId}`);
      assert.ok(row, `${c.recordType} ${c.cdrId} in ${JSON.stringify(h)}`);
      assert.equal(row.by, '@openmmsc/plugin-charge-cdr-file');
    }
    const html = await page(id);
    const rows = html.match(/<tr class="event" data-kind="cdr-written">.*?<\/tr>/gs) ?? [];
    assert.equal(rows.length, 4);
    for (const c of cdrs) assert.ok(rows.some((r) => r.includes('charging record written') && r.includes(`${c.recordType} ${c.cdrId}`)), c.recordType);
  });

  it('an adapted variant, and an event no one told the console about, show with their detail', async () => {
    const sent = await rig.phone(A).send({ to: B, text: 'adapt me' });
    const id = sent.messageId!;
    await rig.t.mmsc.recordEvent(id, 0, { by: '@openmmsc/plugin-mm11', event: 'adapted', reason: 'adapted to class image-basic: image/png 1600x1200 → image/jpeg 640x480 (31 KB)' });
    await rig.t.mmsc.recordEvent(id, 0, { by: 'some-plugin', event: 'lawful-intercept-copied', reason: 'copy 7 to LEA-1 <b>' });
    const html = await page(id);
    const adapted = /<tr class="event" data-kind="adapted">(.*?)<\/tr>/s.exec(html)?.[1] ?? '';
    assert.match(adapted, /adapted variant produced/);
    assert.match(adapted, /@openmmsc\/plugin-mm11/);
    assert.match(adapted, /image\/png 1600x1200 → image\/jpeg 640x480 \(31 KB\)/);
    const other = /<tr class="event" data-kind="lawful-intercept-copied">(.*?)<\/tr>/s.exec(html)?.[1] ?? '';
    assert.match(other, /lawful intercept copied/);
    assert.match(other, /copy 7 to LEA-1 &#60;b&#62;/, 'the detail is escaped');
  });
});
