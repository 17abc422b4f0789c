import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MmsPart, PluginContext, RecipientEvent, TranscodeRequest } from '@openmmsc/core';
import { VariantCache } from '../src/index.js';

const part = (text: string): MmsPart => ({ contentType: { type: 'text/plain', params: {} }, data: Buffer.from(text) });
const caps = { class: '100k' };
const silent = { warn: () => undefined } as unknown as PluginContext<unknown>['log'];

/** The runtime API as VariantCache uses it: one message, variants in a map (the store every node shares). */
function fakeStore() {
  const variants = new Map<string, MmsPart[]>();
  const events: Array<[number, RecipientEvent]> = [];
  // The parts and their revision, as a ReplaceReq changes them: replacing drops every variant.
  const content = { parts: [part('original')], revision: 0 };
  const replace = (parts: MmsPart[]) => {
    content.parts = parts;
    content.revision++;
    variants.clear();
  };
  const mmsc = {
    getVariant: async (_id: string, cls: string) => variants.get(cls),
    saveVariant: async (_id: string, cls: string, parts: readonly MmsPart[], madeFrom?: number) => {
      if (madeFrom !== undefined && madeFrom !== content.revision) return false;
      variants.set(cls, [...parts]);
      return true;
    },
    getParts: async () => content.parts,
    getPartsRevision: async () => ({ parts: content.parts, revision: content.revision }),
    getMessage: async (id: string) => ({ id, size: 8, headers: { from: { type: 'plmn', value: '+1555' }, to: [], cc: [], bcc: [] } }),
    getRecipients: async () => [{ index: 0, attributes: { variant: '100k' } }, { index: 1, attributes: {} }],
    recordEvent: async (_id: string, index: number, event: RecipientEvent) => void events.push([index, event]),
  } as unknown as PluginContext<unknown>['mmsc'];
  return { mmsc, variants, events, replace };
}

function cache(store: ReturnType<typeof fakeStore>, opts: { running: () => boolean; waitMs: number; transcode?: (r: TranscodeRequest) => Promise<{ parts: MmsPart[]; notes: string[] } | undefined> }) {
  let transcodes = 0;
  const c = new VariantCache({
    mmsc: store.mmsc,
    transcode: async (r) => (transcodes++, opts.transcode ? opts.transcode(r) : { parts: [part('small')], notes: ['shrunk'] }),
    runningAnywhere: async () => opts.running(),
    waitMs: opts.waitMs,
    by: 'mm11',
    log: silent,
    stopped: new AbortController().signal,
    now: () => Date.now(),
    pollMs: 10,
  });
  return { c, transcodes: () => transcodes };
}

describe('VariantCache', () => {
  it('makes the variant again from the new parts when a ReplaceReq replaced them while it was made', async () => {
    const store = fakeStore();
    const seen: string[] = [];
    const { c, transcodes } = cache(store, {
      running: () => false,
      waitMs: 0,
      transcode: async (r) => {
        const text = Buffer.from(r.parts[0]!.data).toString();
        seen.push(text);
        // The VASP's ReplaceReq lands while the first adaptation runs.
        if (seen.length === 1) store.replace([part('replaced')]);
        return { parts: [part(`small ${text}`)], notes: [] };
      },
    });
    const v = await c.get({ messageId: 'm1', capabilities: caps });
    assert.deepEqual(seen, ['original', 'replaced']);
    assert.equal(transcodes(), 2);
    assert.equal(Buffer.from(v!.parts[0]!.data).toString(), 'small replaced', 'the fetch got the old content');
    assert.equal(Buffer.from(store.variants.get('100k')![0]!.data).toString(), 'small replaced', 'the old content was stored as the variant');
  });

  it('gives up, storing nothing, when the parts keep being replaced under it', async () => {
    const store = fakeStore();
    let n = 0;
    const { c, transcodes } = cache(store, {
      running: () => false,
      waitMs: 0,
      transcode: async () => {
        store.replace([part(`replaced ${++n}`)]);
        return { parts: [part('small')], notes: [] };
      },
    });
    await assert.rejects(c.get({ messageId: 'm1', capabilities: caps }), /parts were replaced 3 times while it ran/);
    assert.equal(transcodes(), 3);
    assert.equal(store.variants.size, 0);
  });

  it('waits for a variant another node is making instead of making it again', async () => {
    const store = fakeStore();
    let running = true;
    const { c, transcodes } = cache(store, { running: () => running, waitMs: 5_000 });
    const asked = c.get({ messageId: 'm1', capabilities: caps });
    setTimeout(() => {
      store.variants.set('100k', [part('made elsewhere')]);
      running = false;
    }, 100);
    const v = await asked;
    assert.equal(Buffer.from(v!.parts[0]!.data).toString(), 'made elsewhere');
    assert.equal(transcodes(), 0);
  });

  it('makes it itself once waitMs has passed without the other node finishing', async () => {
    const store = fakeStore();
    const { c, transcodes } = cache(store, { running: () => true, waitMs: 150 });
    const v = await c.get({ messageId: 'm1', capabilities: caps, recipient: 1 });
    assert.equal(Buffer.from(v!.parts[0]!.data).toString(), 'small');
    assert.equal(transcodes(), 1);
    // The class's recipient and the one who asked get the history entry; nobody else.
    assert.deepEqual(store.events.map(([i, e]) => [i, e.event, e.reason]), [
      [0, 'adapted', 'adapted to class 100k: shrunk'],
      [1, 'adapted', 'adapted to class 100k: shrunk'],
    ]);
  });

  it('stores "the originals suit" as an empty variant and serves the originals from it', async () => {
    const store = fakeStore();
    const { c, transcodes } = cache(store, { running: () => false, waitMs: 0, transcode: async () => undefined });
    const v = await c.get({ messageId: 'm1', capabilities: caps });
    assert.equal(v!.adapted, false);
    assert.deepEqual(store.variants.get('100k'), []);
    const again = await c.get({ messageId: 'm1', capabilities: caps });
    assert.equal(Buffer.from(again!.parts[0]!.data).toString(), 'original');
    assert.equal(transcodes(), 1);
    assert.equal(store.events.length, 0, 'nothing adapted, nothing to tell');
  });

  it('a caller that gives up does not stop the making for the others', async () => {
    const store = fakeStore();
    let finish!: () => void;
    const { c, transcodes } = cache(store, { running: () => false, waitMs: 0, transcode: async () => (await new Promise<void>((r) => (finish = r)), { parts: [part('small')], notes: [] }) });
    const impatient = new AbortController();
    const first = c.get({ messageId: 'm1', capabilities: caps, signal: impatient.signal });
    const second = c.get({ messageId: 'm1', capabilities: caps });
    await new Promise((r) => setTimeout(r, 20));
    impatient.abort(new Error('handset hung up'));
    await assert.rejects(first, /handset hung up/);
    finish();
    assert.equal(Buffer.from((await second)!.parts[0]!.data).toString(), 'small');
    assert.equal(transcodes(), 1);
  });
});
