import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type MmsPart, type PluginContext } from '../src/index.js';
import { buildMessage, routeAllTo, startTestMmsc, testPlugin, waitFor } from '@openmmsc/testkit';

const fastJobs = { deliver: { backoffBase: 20, backoffMax: 50, maxAttempts: 5 } };
const small: MmsPart = { contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, data: Buffer.from('[the picture, made small]') };

/**
 * A transcoder that adapts after the message is stored: it records what the kernel hands it, and
 * answers deliveries from `variant()` (the test decides when and what).
 */
function deferredTranscoder(variant: (messageId: string, ctx: PluginContext<unknown>) => Promise<MmsPart[]>) {
  const later: Array<{ messageId: string; classes: string[]; storedFirst: boolean }> = [];
  let transcodes = 0;
  const delivered: MmsPart[][] = [];
  const plugin = testPlugin('deferred-transcoder', (ctx) => {
    ctx.provide('Transcoder', {
      name: 'deferred-transcoder',
      capabilitiesFor: () => ({ class: 'small' }),
      transcode: async () => {
        transcodes++;
        return undefined;
      },
      adaptLater: async ({ messageId, capabilities }) => {
        later.push({ messageId, classes: capabilities.map((c) => c.class), storedFirst: !!(await ctx.mmsc.getMessage(messageId)) });
      },
      adaptForRetrieval: async ({ messageId, capabilities }) => ({ variant: capabilities.class, parts: await variant(messageId, ctx), adapted: true, notes: [] }),
    });
    ctx.provide('Deliverer', {
      target: 'remote',
      deliver: async ({ parts }) => {
        delivered.push(parts);
        return { status: 'delivered' };
      },
    });
  });
  return { plugin, later, delivered, transcodes: () => transcodes };
}

describe('a Transcoder with adaptLater: adaptation after the message is stored', () => {
  it('the sender is answered without adapting; the classes are handed over once stored; deliveries wait for the variant', async () => {
    let release!: () => void;
    const ready = new Promise<void>((r) => (release = r));
    const tc = deferredTranscoder(async () => (await ready, [small]));
    const t = await startTestMmsc({ plugins: [routeAllTo('remote'), tc.plugin], config: { jobs: fastJobs } });
    try {
      const sent = await t.mmsc.submit({ message: buildMessage({ to: ['+15550000001', '+15550000002'], text: 'big picture' }), origin: { interface: 'api' } });
      assert.equal(sent.status, 'accepted');
      assert.equal(tc.transcodes(), 0, 'nothing adapted while the sender waited');
      assert.deepEqual(tc.later, [{ messageId: sent.messageId, classes: ['small'], storedFirst: true }], 'one call, one class, after the message was stored');
      for (const r of await t.mmsc.getRecipients(sent.messageId)) assert.equal(r.attributes.variant, 'small');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(tc.delivered.length, 0, 'deliveries wait for the variant');
      release();
      await waitFor('both delivered', () => tc.delivered.length === 2);
      for (const parts of tc.delivered) assert.deepEqual(parts, [small]);
    } finally {
      await t.stop();
    }
  });

  it('a stored empty variant means the originals: deliveries and getParts get them', async () => {
    const tc = deferredTranscoder(async () => {
      throw new Error('not asked when a variant is stored');
    });
    const t = await startTestMmsc({ plugins: [routeAllTo('remote'), tc.plugin], config: { jobs: { deliver: { ...fastJobs.deliver, backoffBase: 200 } } } });
    try {
      const message = buildMessage({ to: '+15550000001', text: 'fits as it is' });
      const original = message.parts.map((p) => Buffer.from(p.data));
      const sent = await t.mmsc.submit({ message, origin: { interface: 'api' } });
      await t.mmsc.saveVariant(sent.messageId, 'small', []);
      await waitFor('delivered', () => tc.delivered.length === 1, { timeoutMs: 5000 });
      assert.deepEqual(tc.delivered[0]!.map((p) => Buffer.from(p.data)), original);
      assert.deepEqual((await t.mmsc.getParts(sent.messageId, 'small'))!.map((p) => Buffer.from(p.data)), original);
    } finally {
      await t.stop();
    }
  });

  it('a variant that cannot be made yet retries the delivery; nothing is lost', async () => {
    let asked = 0;
    const tc = deferredTranscoder(async () => {
      if (++asked < 3) throw new Error('transcoder busy');
      return [small];
    });
    const t = await startTestMmsc({ plugins: [routeAllTo('remote'), tc.plugin], config: { jobs: fastJobs } });
    try {
      const sent = await t.mmsc.submit({ message: buildMessage({ to: '+15550000001', text: 'try again' }), origin: { interface: 'api' } });
      await waitFor('delivered on the third attempt', () => tc.delivered.length === 1, { timeoutMs: 5000 });
      assert.equal(asked, 3);
      assert.deepEqual(tc.delivered[0], [small]);
      // The deliverer has answered; the kernel records the outcome right after it.
      await waitFor('recorded as delivered', async () => (await t.mmsc.getRecipients(sent.messageId))[0]!.state === 'delivered', { timeoutMs: 5000 });
    } finally {
      await t.stop();
    }
  });
});
