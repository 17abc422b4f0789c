import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { MmsPart } from '../../src/model/message.js';
import type { RecipientRecord } from '../../src/model/recipient-state.js';
import type { MessageStore, StoredMessage } from '../../src/services/message-store.js';

/** One place to store messages; `open` may be called again after `close` to reopen it. */
export interface StoreFixture {
  open(): Promise<MessageStore>;
  /**
   * Several processes (cluster nodes) may open this store at once: the contract then opens it
   * twice and checks that `kv().update` stays atomic across the two.
   */
  sharedByProcesses?: boolean;
}

/** A stored message with every kind of header, for stores under test. */
export function message(id: string, recipientCount = 2): StoredMessage {
  return {
    id,
    headers: {
      messageId: `mid-${id}`,
      transactionId: 'T1',
      from: { type: 'plmn', value: '+15550001' },
      to: [{ type: 'plmn', value: '+15550002' }],
      cc: [{ type: 'email', value: 'a@example.com' }],
      bcc: [],
      subject: { text: 'Grüße ☃', charset: 'utf-8' },
      date: new Date('2024-05-01T10:00:00.123Z'),
      expiry: new Date('2024-05-08T10:00:00Z'),
      deliveryTime: new Date('2024-05-01T11:00:00Z'),
      messageClass: 'personal',
      priority: 'high',
      deliveryReport: true,
      contentType: { type: 'application/vnd.wap.multipart.related', params: { type: 'application/smil', start: '<smil>' } },
      extra: { 'X-Custom': 'x' },
    },
    origin: { interface: 'mm1', peer: '10.0.0.1', attributes: { vasp: 'v1', n: 3, b: true } },
    receivedAt: 1_714_557_600_000,
    expiresAt: 1_715_162_400_000,
    size: 300_000 + 5,
    partCount: 2,
    recipientCount,
    attributes: { spamScore: 0.5, tag: 'x', flagged: false },
  };
}

export function parts(bigSize = 300_000): MmsPart[] {
  return [
    { contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, contentId: '<t>', data: new TextEncoder().encode('hello') },
    {
      contentType: { type: 'image/jpeg', params: {} },
      contentLocation: 'a.jpg',
      headers: { 'Content-Disposition': 'attachment' },
      data: new Uint8Array(randomBytes(bigSize)),
    },
  ];
}

export function recipients(n = 2): RecipientRecord[] {
  return Array.from({ length: n }, (_, index) => ({
    index,
    address: { type: 'plmn', value: `+1555100${index}` },
    kind: 'to',
    state: 'received',
    history: [{ state: 'received', at: 1_714_557_600_000, by: 'kernel' }],
    attributes: {},
  }));
}

function assertPartsEqual(actual: MmsPart[] | undefined, expected: MmsPart[]): void {
  assert.ok(actual, 'parts missing');
  assert.equal(actual.length, expected.length);
  actual.forEach((part, i) => {
    const want = expected[i]!;
    assert.ok(part.data instanceof Uint8Array, 'part data must come back as bytes');
    assert.equal(Buffer.compare(Buffer.from(part.data), Buffer.from(want.data)), 0, `part ${i} bytes differ`);
    const { data: _a, ...meta } = part;
    const { data: _b, ...wantMeta } = want;
    assert.deepEqual(meta, wantMeta);
  });
}

export function messageStoreContract(name: string, newFixture: () => Promise<StoreFixture>): void {
  describe(`MessageStore contract: ${name}`, () => {
    const open: MessageStore[] = [];
    async function fresh(): Promise<{ store: MessageStore; fixture: StoreFixture }> {
      const fixture = await newFixture();
      const store = await fixture.open();
      open.push(store);
      return { store, fixture };
    }
    after(async () => {
      for (const store of open) await store.close().catch(() => {});
    });

    it('round-trips metadata with dates, 300 KB binary parts and recipients', async () => {
      const { store } = await fresh();
      const msg = message('m1');
      const ps = parts();
      await store.save(msg, ps, recipients());
      const got = await store.get('m1');
      assert.deepEqual(got, msg);
      assert.ok(got?.headers.date instanceof Date);
      assert.equal(got?.headers.expiry?.getTime(), msg.headers.expiry?.getTime());
      assertPartsEqual(await store.getParts('m1'), ps);
      assert.deepEqual(await store.getRecipients('m1'), recipients());
      assert.deepEqual(await store.getRecipient('m1', 1), recipients()[1]);
    });

    it('answers undefined or empty for unknown messages', async () => {
      const { store } = await fresh();
      assert.equal(await store.get('nope'), undefined);
      assert.equal(await store.getParts('nope'), undefined);
      assert.deepEqual(await store.getRecipients('nope'), []);
      assert.equal(await store.getRecipient('nope', 0), undefined);
      assert.equal(await store.getVariant('nope', 'x'), undefined);
    });

    it('keeps what it saved across close and reopen', async () => {
      const fixture = await newFixture();
      const first = await fixture.open();
      const ps = parts(30_000);
      await first.save(message('m2'), ps, recipients());
      await first.close();
      const second = await fixture.open();
      open.push(second);
      assert.deepEqual(await second.get('m2'), message('m2'));
      assertPartsEqual(await second.getParts('m2'), ps);
    });

    it('update replaces metadata but not parts or recipients', async () => {
      const { store } = await fresh();
      const ps = parts(1000);
      await store.save(message('m3'), ps, recipients());
      const changed = { ...message('m3'), attributes: { spamScore: 0.9 } };
      await store.update(changed);
      assert.deepEqual(await store.get('m3'), changed);
      assertPartsEqual(await store.getParts('m3'), ps);
      assert.equal((await store.getRecipients('m3')).length, 2);
      await assert.rejects(store.update(message('missing')));
    });

    it('stores variants per adaptation class', async () => {
      const { store } = await fresh();
      await store.save(message('m4'), parts(100), recipients());
      const small = parts(10);
      const tiny = [parts(5)[1]!];
      await store.saveVariant('m4', 'small', small);
      await store.saveVariant('m4', 'tiny', tiny);
      assertPartsEqual(await store.getVariant('m4', 'small'), small);
      assertPartsEqual(await store.getVariant('m4', 'tiny'), tiny);
      assert.equal(await store.getVariant('m4', 'other'), undefined);
    });

    it('a variant saved again replaces the earlier one whole; an empty one stays empty, not missing', async () => {
      const { store } = await fresh();
      await store.save(message('m8'), parts(100), recipients());
      await store.saveVariant('m8', 'small', parts(120_000));
      const again = [parts(3_000)[1]!];
      await store.saveVariant('m8', 'small', again);
      assertPartsEqual(await store.getVariant('m8', 'small'), again);
      // Empty: the originals suit the class (what a transcoder saves when nothing needs adapting).
      await store.saveVariant('m8', 'as-sent', []);
      assert.deepEqual(await store.getVariant('m8', 'as-sent'), []);
      await store.delete('m8');
      assert.equal(await store.getVariant('m8', 'small'), undefined);
      assert.equal(await store.getVariant('m8', 'as-sent'), undefined);
    });

    it('replaceParts swaps the parts and drops variants of the old ones', async () => {
      const { store } = await fresh();
      await store.save(message('r1'), parts(2000), recipients());
      await store.saveVariant('r1', 'small', parts(10));
      const replacement = [parts(700)[1]!];
      await store.replaceParts('r1', replacement);
      assertPartsEqual(await store.getParts('r1'), replacement);
      assert.equal(await store.getVariant('r1', 'small'), undefined, 'a variant of the old parts survived');
      const meta = await store.get('r1');
      assert.equal(meta?.partCount, 1);
      assert.equal(meta?.size, 700);
      assert.equal((await store.getRecipients('r1')).length, 2);
      const small = parts(5);
      await store.saveVariant('r1', 'small', small);
      assertPartsEqual(await store.getVariant('r1', 'small'), small);
      await store.delete('r1');
      assert.equal(await store.getParts('r1'), undefined);
      assert.equal(await store.getVariant('r1', 'small'), undefined);
      await assert.rejects(store.replaceParts('missing', replacement));
    });

    it('keeps no variant made from parts that were replaced while it was made', async () => {
      const { store } = await fresh();
      const original = parts(300);
      await store.save(message('r2'), original, recipients());
      const made = await store.getPartsRevision('r2');
      assertPartsEqual(made?.parts, original);
      const replacement = [parts(50)[1]!];
      await store.replaceParts('r2', replacement);
      const now = await store.getPartsRevision('r2');
      assertPartsEqual(now?.parts, replacement);
      assert.notEqual(now?.revision, made?.revision);
      // An adaptation of the old parts, finishing after the ReplaceReq: refused, nothing served.
      assert.equal(await store.saveVariant('r2', 'small', parts(10), made!.revision), false);
      assert.equal(await store.getVariant('r2', 'small'), undefined);
      const small = parts(5);
      assert.equal(await store.saveVariant('r2', 'small', small, now!.revision), true);
      assertPartsEqual(await store.getVariant('r2', 'small'), small);
      // Without a revision a variant is saved against whatever the parts are now, as before.
      assert.equal(await store.saveVariant('r2', 'tiny', []), true);
      assert.deepEqual(await store.getVariant('r2', 'tiny'), []);

      // The save and the replace at the same time: whichever lands first, no variant of the old
      // parts is found afterwards.
      await store.save(message('r3'), parts(300), recipients());
      const old = await store.getPartsRevision('r3');
      await Promise.all([store.saveVariant('r3', 'small', parts(10), old!.revision), store.replaceParts('r3', replacement)]);
      assert.equal(await store.getVariant('r3', 'small'), undefined, 'a variant of the replaced parts is served');
    });

    it('updateRecipient serialises concurrent updates and writes nothing when fn throws', async () => {
      const { store } = await fresh();
      await store.save(message('m5'), parts(10), recipients());
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.updateRecipient('m5', 1, (r) => ({ ...r, history: [...r.history, { state: 'routed', at: i, by: `p${i}` }] })),
        ),
      );
      const after20 = await store.getRecipient('m5', 1);
      assert.equal(after20?.history.length, 21, 'an update was lost');
      assert.deepEqual(new Set(after20?.history.slice(1).map((h) => h.at)), new Set(Array.from({ length: 20 }, (_, i) => i)));

      await assert.rejects(
        store.updateRecipient('m5', 1, () => {
          throw new Error('abort');
        }),
        /abort/,
      );
      assert.deepEqual(await store.getRecipient('m5', 1), after20);
      const updated = await store.updateRecipient('m5', 0, (r) => ({ ...r, state: 'routed' }));
      assert.equal(updated.state, 'routed');
      assert.equal((await store.getRecipient('m5', 0))?.state, 'routed');
      assert.equal((await store.getRecipient('m5', 1))?.state, 'received');
      await assert.rejects(store.updateRecipient('m5', 7, (r) => r));
    });

    it('delete removes message, parts, variants and recipients', async () => {
      const { store } = await fresh();
      await store.save(message('m6'), parts(1000), recipients());
      await store.save(message('m7'), parts(10), recipients());
      await store.saveVariant('m6', 'small', parts(10));
      await store.delete('m6');
      assert.equal(await store.get('m6'), undefined);
      assert.equal(await store.getParts('m6'), undefined);
      assert.equal(await store.getVariant('m6', 'small'), undefined);
      assert.equal(await store.getRecipient('m6', 0), undefined);
      assert.equal(await store.getRecipient('m6', 1), undefined);
      assert.deepEqual(await store.getRecipients('m6'), []);
      assert.ok(await store.get('m7'), 'delete touched another message');
      await store.delete('m6');
    });

    it('kv gives namespaced space with TTL', async () => {
      const { store } = await fresh();
      const a = store.kv('plugin-a');
      const b = store.kv('plugin-b');
      await a.set('k', { n: 1, when: new Date(5), bytes: new Uint8Array([1, 2, 3]) });
      await b.set('k', 'other');
      const got = await a.get<{ n: number; when: Date; bytes: Uint8Array }>('k');
      assert.equal(got?.n, 1);
      assert.equal(got?.when.getTime(), 5);
      assert.deepEqual([...(got?.bytes ?? [])], [1, 2, 3]);
      assert.equal(await b.get('k'), 'other');
      assert.equal(await a.delete('k'), true);
      assert.equal(await a.get('k'), undefined);
      assert.equal(await a.delete('k'), false);

      await a.set('short', 1, 150);
      await a.set('long', 2, 60_000);
      assert.equal(await a.get('short'), 1);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await a.get('short'), undefined);
      assert.equal(await a.get('long'), 2);
    });

    it('kv update is an atomic read-modify-write that writes nothing when fn throws', async () => {
      const { store, fixture } = await fresh();
      const kv = store.kv('plugin-c');
      const add = (i: number) => (list: number[] | undefined) => [...(list ?? []), i];
      await Promise.all(Array.from({ length: 20 }, (_, i) => kv.update<number[]>('list', add(i))));
      assert.deepEqual([...((await kv.get<number[]>('list')) ?? [])].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i), 'an update was lost');
      const first = await kv.update<{ n: number; at: Date }>('fresh', (current) => ({ n: (current?.n ?? 0) + 1, at: new Date(7) }));
      assert.equal(first.n, 1);
      assert.equal((await kv.get<{ at: Date }>('fresh'))?.at.getTime(), 7);
      await assert.rejects(
        kv.update('fresh', () => {
          throw new Error('abort');
        }),
        /abort/,
      );
      assert.equal((await kv.get<{ n: number }>('fresh'))?.n, 1);
      assert.equal(await store.kv('plugin-d').get('list'), undefined, 'update leaked out of its namespace');
      if (!fixture.sharedByProcesses) return;
      // Two nodes on the same backend: neither may lose the other's writes.
      const other = await fixture.open();
      open.push(other);
      const kv2 = other.kv('plugin-c');
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? kv : kv2).update<number[]>('shared', add(i))));
      assert.equal((await kv.get<number[]>('shared'))?.length, 20, 'an update from another node was lost');
    });

    it('what one process writes, another sharing the store reads at once (no stale cached record)', async (t) => {
      const { store, fixture } = await fresh();
      if (!fixture.sharedByProcesses) return t.skip('opened by one process only');
      const other = await fixture.open();
      open.push(other);
      await store.save(message('s1'), parts(10), recipients());
      // The other process has read (and may have cached) the recipient before the first moves it.
      assert.equal((await other.getRecipient('s1', 0))?.state, 'received');
      assert.equal((await other.getRecipients('s1')).length, 2);
      await store.updateRecipient('s1', 0, (r) => ({ ...r, state: 'notified' }));
      assert.equal((await other.getRecipient('s1', 0))?.state, 'notified', 'stale recipient read by the other process');
      assert.equal((await other.getRecipients('s1'))[0]?.state, 'notified');
      // Read-modify-write of one recipient from both: neither history entry is lost.
      const entry = (by: string) => (r: RecipientRecord) => ({ ...r, history: [...r.history, { state: r.state, at: 1, by }] });
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).updateRecipient('s1', 1, entry(`p${i}`))));
      assert.equal((await store.getRecipient('s1', 1))?.history.length, 21, 'an update from the other process was lost');
      await other.update({ ...message('s1'), attributes: { changed: true } });
      assert.equal((await store.get('s1'))?.attributes.changed, true, 'stale message record');
    });

    it('ping answers', async () => {
      const { store } = await fresh();
      await store.ping();
    });
  });
}
