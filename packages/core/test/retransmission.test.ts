import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { definePlugin, type KeyValueStore, type SubmitInput, type SubmitResult } from '@openmmsc/core';
import { buildMessage, startTestMmsc, waitFor } from '@openmmsc/testkit';
import { Retransmissions } from '../src/kernel/retransmissions.js';
import { withLocalMmsc } from './helpers/local-mmsc.js';


/** A submission as an ingress builds it afresh for every request it receives. */
function request(spec: Parameters<typeof buildMessage>[0], key: string | undefined, peer = 'vasp-1'): SubmitInput {
  const input: SubmitInput = { message: buildMessage(spec), origin: { interface: 'test', peer } };
  if (key) input.retransmission = { key: `${peer}:${key}`, windowMs: 60_000 };
  return input;
}

describe('retransmissions', () => {
  it('answers a true retransmission with the first answer and stores nothing new', async () => {
    await withLocalMmsc(async (t, push) => {
      const spec = { to: '+15550000002', subject: 'hello', text: 'same content' };
      const first = await t.mmsc.submit(request(spec, 'tx-1'));
      const again = await t.mmsc.submit(request(spec, 'tx-1'));
      assert.equal(first.status, 'accepted');
      assert.equal(again.status, 'accepted');
      assert.equal(again.messageId, first.messageId);
      assert.equal(again.retransmission, true);
      assert.equal(first.retransmission, undefined);
      await waitFor('first notified', () => push.pushes.length >= 1);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(push.pushes.length, 1, 'the retransmission must not notify again');
    });
  });

  it('treats a reused key with other content as a new message, never a silent drop', async () => {
    await withLocalMmsc(async (t, push) => {
      const first = await t.mmsc.submit(request({ to: '+15550000002', subject: 'one' }, 'tx-7'));
      const other = await t.mmsc.submit(request({ to: '+15550000003', subject: 'two' }, 'tx-7'));
      assert.equal(other.status, 'accepted');
      assert.notEqual(other.messageId, first.messageId);
      assert.equal(other.reusedKey, true);
      assert.equal(other.retransmission, undefined);
      await waitFor('both recipients notified', () => push.pushes.length >= 2);
      assert.deepEqual(push.pushes.map((p) => p.to.value).sort(), ['+15550000002', '+15550000003']);
      // The newest content is what a further retransmission of the key now matches.
      const replay = await t.mmsc.submit(request({ to: '+15550000003', subject: 'two' }, 'tx-7'));
      assert.equal(replay.messageId, other.messageId);
      assert.equal(replay.retransmission, true);
    });
  });

  it('keeps keys of different senders apart, and concurrent duplicates make one message', async () => {
    await withLocalMmsc(async (t) => {
      const spec = { to: '+15550000002', subject: 'race' };
      const [a, b, c] = await Promise.all([
        t.mmsc.submit(request(spec, 'tx-1', 'vasp-a')),
        t.mmsc.submit(request(spec, 'tx-1', 'vasp-a')),
        t.mmsc.submit(request(spec, 'tx-1', 'vasp-b')),
      ]);
      assert.equal(a.messageId, b.messageId);
      assert.equal([a, b].filter((r) => r.retransmission).length, 1);
      assert.notEqual(c.messageId, a.messageId);
      assert.equal(c.retransmission, undefined);
    });
  });

  it('judges a retry of a refused submission anew', async () => {
    const t = await startTestMmsc({ plugins: [] });
    try {
      const spec = { to: '+15550000002' };
      const first = await t.mmsc.submit(request(spec, 'tx-9'));
      assert.equal(first.status, 'rejected');
      const again = await t.mmsc.submit(request(spec, 'tx-9'));
      assert.equal(again.status, 'rejected');
      assert.equal(again.retransmission, undefined);
      assert.notEqual(again.messageId, first.messageId);
    } finally {
      await t.stop();
    }
  });

  it('recognises a retransmission by what the sender sent, whatever the receive stage added to the first', async () => {
    // The first copy's bodies are hashed while it is stored, after the stages ran: the hash must
    // still be of the parts as they arrived, or every retransmission would become a second message.
    const footer = definePlugin({
      name: 'footer',
      version: '1.0.0',
      apiVersion: '^1.0.0',
      setup: () => ({
        receive: (ctx) => {
          ctx.message.parts.push({ contentType: { type: 'text/plain', params: {} }, data: Buffer.from('sent by OpenMMSC') });
        },
      }),
    });
    await withLocalMmsc(
      async (t, push) => {
        const spec = { to: '+15550000002', subject: 'footer', text: 'x'.repeat(200_000) };
        const first = await t.mmsc.submit(request(spec, 'tx-11'));
        const again = await t.mmsc.submit(request(spec, 'tx-11'));
        assert.equal(first.status, 'accepted');
        assert.equal(again.messageId, first.messageId);
        assert.equal(again.retransmission, true);
        assert.equal((await t.mmsc.getParts(first.messageId))?.length, 2, 'the footer was added to the stored message');
        await waitFor('first notified', () => push.pushes.length >= 1);
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(push.pushes.length, 1);
      },
      [footer],
    );
  });
});

describe('retransmissions: the sender does not wait for the remembering', () => {
  it('answers a first submission while its fingerprint is still being written, and a retransmission sent at once waits for that write', async () => {
    const entries = new Map<string, unknown>();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const kv: KeyValueStore = {
      get: async <T>(key: string) => entries.get(key) as T | undefined,
      set: async (key, value) => {
        await held; // the store's write, slow (a 10 MB hash, a busy disk): held until released
        entries.set(key, value);
      },
      delete: async (key) => entries.delete(key),
      update: async () => {
        throw new Error('not used');
      },
    };
    const retransmissions = new Retransmissions(kv, pino({ level: 'silent' }));
    let runs = 0;
    const run = async (): Promise<SubmitResult> => ({ status: 'accepted', messageId: `m${++runs}`, recipients: [] });
    const spec = { to: '+15550000002', subject: 'hello', text: 'same content' };
    const key = { key: 'vasp-1:tx-9', windowMs: 60_000 };
    const within = <T>(p: Promise<T>, ms: number) =>
      Promise.race([p, new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms))]);

    const first = await within(retransmissions.submitOnce('test', key, buildMessage(spec), run), 2000);
    assert.notEqual(first, 'pending', 'the first answer waited for the remembering');
    assert.equal((first as SubmitResult).messageId, 'm1');
    assert.equal(entries.size, 0, 'answered before the fingerprint was stored');

    const again = retransmissions.submitOnce('test', key, buildMessage(spec), run);
    assert.equal(await within(again, 100), 'pending', 'the retransmission is judged only once the first is remembered');
    release();
    const second = await again;
    assert.equal(second.retransmission, true);
    assert.equal(second.messageId, 'm1');
    assert.equal(runs, 1, 'stored once');
  });
});
