import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MmsPart } from '@openmmsc/core';
import { buildMessage, recordingPushBearer, startTestMmsc, waitFor, type TestMmsc } from '@openmmsc/testkit';
import sharp from 'sharp';
import mm11, { isMm11Transcoder, type Mm11OptionsInput, type Mm11Transcoder } from '../src/index.js';
import { photoAs } from './helpers.js';
import { network } from './network.js';
import { startStiGate, type StiGate } from './sti-gate.js';

const B = '+15550000001';
const C = '+15550000002';
const bytes = (parts: readonly MmsPart[]) => parts.reduce((n, p) => n + p.data.byteLength, 0);

/** Local handsets in class 100k, media converted by the STI transcoder behind `gate`. */
async function mmscWith(gate: StiGate, extra: Partial<Mm11OptionsInput> = {}, store?: { type: 'sqlite'; path: string }) {
  const net = network();
  const push = recordingPushBearer();
  const t = await startTestMmsc({
    config: { limits: { maxMessageSize: '20MB' }, shutdown: { retrievalGrace: 0 }, ...(store ? { store } : {}) },
    plugins: [
      net.plugin,
      push.plugin,
      { plugin: mm11, options: { targets: { local: '100k' }, uaprof: { fetch: false }, publicBaseUrl: 'https://mms.example.net', sti: { client: { url: gate.url, timeoutMs: 60_000 } }, ...extra } },
    ],
  });
  const tc = net.transcoder();
  if (!isMm11Transcoder(tc)) throw new Error('no MM11 transcoder');
  return { t, push, tc: tc as Mm11Transcoder };
}

async function historyEvents(t: TestMmsc, messageId: string): Promise<Array<Array<string | undefined>>> {
  return (await t.mmsc.getRecipients(messageId)).map((r) => r.history.filter((h) => h.event).map((h) => `${h.event}: ${h.reason}`));
}

describe('adaptation after the message is stored', () => {
  let photo: Buffer;
  before(async () => {
    photo = await photoAs('jpeg', 3000, 2000, 6);
  });
  const message = (to: string[]) =>
    buildMessage({ to, text: 'holiday', parts: [{ contentType: { type: 'image/jpeg', params: {} }, contentLocation: 'photo.jpg', data: photo }] });

  it('answers the sender and notifies while a slow transcoder still works; two recipients and two fetches share one adaptation', async () => {
    const gate = await startStiGate();
    const { t, push, tc } = await mmscWith(gate);
    try {
      const sent = await t.mmsc.submit({ message: message([B, C]), origin: { interface: 'api' } });
      assert.equal(sent.status, 'accepted', 'answered although the transcoder has not answered');
      await waitFor('the adaptation job at the transcoder', () => gate.waiting === 1);
      await waitFor('both notified before the variant exists', () => push.pushes.filter((p) => p.notification.messageId === sent.messageId).length === 2);
      assert.equal(await t.mmsc.getVariant(sent.messageId, '100k'), undefined, 'not made yet');
      const notified = push.pushes.find((p) => p.notification.messageId === sent.messageId)!;
      assert.ok(notified.notification.size > photo.byteLength, 'the notification gives the stored size (an upper bound of any variant)');

      // Both handsets fetch while the job still waits: they join it rather than adapt again.
      const caps = tc.capabilitiesFor!({ address: { type: 'plmn', value: B }, route: { target: 'local', by: 'test' } })!;
      const fetches = [tc.adaptForRetrieval({ messageId: sent.messageId, capabilities: caps, recipient: 0 }), tc.adaptForRetrieval({ messageId: sent.messageId, capabilities: caps, recipient: 1 })];
      gate.open();
      const [a, b] = await Promise.all(fetches);
      assert.equal(gate.requests, 1, 'one conversion for the class, whoever asked');
      assert.ok(a?.adapted && b?.adapted);
      assert.deepEqual(a!.parts.map((p) => p.data), b!.parts.map((p) => p.data));
      assert.ok(bytes(a!.parts) <= 100 * 1024, `${bytes(a!.parts)} bytes`);
      const stored = await t.mmsc.getVariant(sent.messageId, '100k');
      assert.ok(stored && bytes(stored) === bytes(a!.parts), 'stored with the message for every node');
      const meta = await sharp(a!.parts.find((p) => p.contentType.type === 'image/jpeg')!.data).metadata();
      assert.ok(meta.width! <= 640 && meta.height! <= 480, `${meta.width}×${meta.height}`);

      // A later fetch of the ready variant converts nothing.
      const again = await tc.adaptForRetrieval({ messageId: sent.messageId, capabilities: caps });
      assert.equal(gate.requests, 1);
      assert.deepEqual(again!.parts.map((p) => p.data), a!.parts.map((p) => p.data));
      for (const events of await historyEvents(t, sent.messageId)) {
        assert.equal(events.filter((e) => e?.startsWith('adapted: ')).length, 1, JSON.stringify(events));
        assert.match(events.find((e) => e?.startsWith('adapted: '))!, /^adapted: adapted to class 100k: .*via STI/);
      }
      assert.match(await t.mmsc.registry.getSingleMetricAsString('openmmsc_link_up'), new RegExp(`kind="sti",name="${gate.url}"} 1`));
    } finally {
      await t.stop();
      await gate.stop();
    }
  });

  it('a ReplaceReq while the class is being adapted: the class is adapted again from the new photo, the old one never served', async () => {
    const gate = await startStiGate();
    const { t, tc } = await mmscWith(gate);
    try {
      const sent = await t.mmsc.submit({ message: message([B]), origin: { interface: 'api' } });
      assert.equal(sent.status, 'accepted');
      await waitFor('the adaptation of the landscape photo at the transcoder', () => gate.waiting === 1);
      // The VASP replaces the content (what MM7's ReplaceReq does) while that conversion runs.
      const portrait = await photoAs('jpeg', 2000, 3000, 6);
      await t.mmsc.replace(sent.messageId, { parts: [{ contentType: { type: 'image/jpeg', params: {} }, contentLocation: 'photo.jpg', data: portrait }] });
      const caps = tc.capabilitiesFor!({ address: { type: 'plmn', value: B }, route: { target: 'local', by: 'test' } })!;
      const fetching = tc.adaptForRetrieval({ messageId: sent.messageId, capabilities: caps, recipient: 0 });
      gate.open();
      const orientation = async (parts: readonly MmsPart[]) => {
        const meta = await sharp(parts.find((p) => p.contentType.type === 'image/jpeg')!.data).metadata();
        return meta.height! > meta.width! ? 'portrait' : 'landscape';
      };
      const fetched = await fetching;
      assert.ok(fetched?.adapted);
      assert.equal(await orientation(fetched.parts), 'portrait', 'the handset got the photo from before the replace');
      const stored = await waitFor('the variant stored', () => t.mmsc.getVariant(sent.messageId, '100k'));
      assert.equal(await orientation(stored), 'portrait', 'the variant kept is of the photo from before the replace');
      assert.ok(gate.requests >= 2, `${gate.requests} conversions: the landscape one's result was not kept`);
    } finally {
      await t.stop();
      await gate.stop();
    }
  });

  it('an adaptation job cut short by a stop runs again after the restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mm11-after-store-'));
    const store = { type: 'sqlite' as const, path: join(dir, 'store.sqlite') };
    const gate = await startStiGate();
    try {
      const first = await mmscWith(gate, {}, store);
      const sent = await first.t.mmsc.submit({ message: message([B]), origin: { interface: 'api' } });
      assert.equal(sent.status, 'accepted');
      await waitFor('the job at the transcoder', () => gate.waiting === 1);
      await first.t.mmsc.stop();
      assert.equal(await first.t.mmsc.getVariant(sent.messageId, '100k').catch(() => undefined), undefined);

      gate.open();
      const second = await mmscWith(gate, {}, store);
      try {
        // Nothing fetches or delivers here: only the job handed back at the stop makes the variant.
        const variant = await waitFor('variant made after the restart', () => second.t.mmsc.getVariant(sent.messageId, '100k'), { timeoutMs: 30_000 });
        assert.ok(bytes(variant) <= 100 * 1024);
        assert.equal(gate.requests, 2, 'the request cut short, then the one after the restart');
        await waitFor('history entry', async () => String((await historyEvents(second.t, sent.messageId))[0]).includes('adapted to class 100k'));
      } finally {
        await second.t.stop();
      }
    } finally {
      await gate.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a transcoder that does not answer: the picture becomes a notice with a link to the original; nothing is lost', async () => {
    const gate = await startStiGate();
    gate.down = true;
    gate.open();
    const { t } = await mmscWith(gate);
    try {
      const sent = await t.mmsc.submit({ message: message([B]), origin: { interface: 'api' } });
      assert.equal(sent.status, 'accepted');
      const variant = await waitFor('variant stored', () => t.mmsc.getVariant(sent.messageId, '100k'), { timeoutMs: 30_000 });
      assert.equal(variant.some((p) => p.contentType.type.startsWith('image/')), false);
      const notice = variant.map((p) => Buffer.from(p.data).toString('utf8')).find((text) => text.includes('photo.jpg'));
      assert.match(notice ?? '', new RegExp(`could not be adapted.*https://mms\\.example\\.net/o/${sent.messageId}/1`, 's'));
      const original = await t.mmsc.getParts(sent.messageId);
      assert.deepEqual(original?.[1]?.data, photo, 'the original is kept');
      const events = await waitFor('history entry', async () => String((await historyEvents(t, sent.messageId))[0]).match(/adapted to class 100k: .*/)?.[0]);
      assert.match(events, /did not answer/);
      assert.match(await t.mmsc.registry.getSingleMetricAsString('openmmsc_link_up'), new RegExp(`kind="sti",name="${gate.url}"} 0`));
    } finally {
      await t.stop();
      await gate.stop();
    }
  });

  it('with afterStore.enabled false the sender waits for the adaptation, as before', async () => {
    const gate = await startStiGate();
    const { t } = await mmscWith(gate, { afterStore: { enabled: false } });
    try {
      let answered = false;
      const submitting = t.mmsc.submit({ message: message([B]), origin: { interface: 'api' } }).then((r) => ((answered = true), r));
      await waitFor('the adaptation at the transcoder', () => gate.waiting === 1);
      assert.equal(answered, false, 'the sender still waits');
      gate.open();
      const sent = await submitting;
      assert.equal(sent.status, 'accepted');
      const variant = await t.mmsc.getVariant(sent.messageId, '100k');
      assert.ok(variant && bytes(variant) <= 100 * 1024, 'stored with the message');
    } finally {
      await t.stop();
      await gate.stop();
    }
  });
});
