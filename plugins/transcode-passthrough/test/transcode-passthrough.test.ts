import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { definePlugin, parseAddress, type Transcoder } from '@openmmsc/core';
import { buildMessage, localSubscribers, recordingPushBearer, startTestMmsc, waitFor } from '@openmmsc/testkit';
import passthrough from '../src/index.js';

/** Finds the transcoder the kernel chose, once started. */
function transcoderProbe() {
  let found: Transcoder | undefined;
  const plugin = definePlugin({
    name: 'transcoder-probe',
    version: '0.0.0',
    apiVersion: '^1.0.0',
    setup: (ctx) => ({ start: () => void (found = ctx.service('Transcoder')) }),
  });
  return { plugin, transcoder: () => found };
}

describe('transcode-passthrough: the transcoder that changes nothing', () => {
  it('takes the transcoder slot, reports its class for every recipient and leaves the parts as sent', async () => {
    const probe = transcoderProbe();
    const push = recordingPushBearer();
    const t = await startTestMmsc({ plugins: [localSubscribers(), push.plugin, { plugin: passthrough, options: { class: 'lab' } }, probe.plugin] });
    try {
      const transcoder = probe.transcoder();
      assert.ok(transcoder, 'the kernel chose it as the Transcoder');
      assert.deepEqual(transcoder.capabilitiesFor?.({ address: parseAddress('+15550000001'), route: { target: 'local' } }), { class: 'lab' });

      const sent = buildMessage({ to: '+15550000001', text: 'unchanged' });
      const r = await t.mmsc.submit({ message: sent, origin: { interface: 'api' } });
      assert.equal(r.status, 'accepted');
      await waitFor('notified', () => push.pushes.length === 1);
      const [recipient] = await t.mmsc.getRecipients(r.messageId);
      assert.equal(recipient?.variant, undefined, 'no adapted variant: the recipient gets the original');
      const parts = await t.mmsc.getParts(r.messageId);
      assert.deepEqual(
        parts?.map((p) => Buffer.from(p.data).toString()),
        sent.parts.map((p) => Buffer.from(p.data).toString()),
      );
    } finally {
      await t.stop();
    }
  });

  it('defaults the class to "original" and refuses a class that is not a string', async () => {
    assert.deepEqual(passthrough.configSchema!.parse({}), { class: 'original' });
    assert.throws(() => passthrough.configSchema!.parse({ class: 7 }));
  });
});
