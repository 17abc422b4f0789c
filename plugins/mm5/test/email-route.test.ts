import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeliveryRequest } from '@openmmsc/core';
import { buildMessage, recordingPushBearer, serviceProvider, startTestMmsc, waitFor } from '@openmmsc/testkit';
import mm5, { mm5Facts, mm5Options } from '../src/index.js';

/** Stands in for MM3: records what the kernel hands to the `mm3` route target. */
function mailDeliverer() {
  const delivered: DeliveryRequest[] = [];
  const plugin = serviceProvider('test-mm3', 'Deliverer', () => ({
    target: 'mm3',
    deliver: async (request) => {
      delivered.push(request);
      return { status: 'forwarded' as const };
    },
  }));
  return { plugin, delivered };
}

describe('MM5: the README\'s catch-all e-mail route', () => {
  it('`{ prefix: "@", target: mm3 }` routes any e-mail address to mm3', async () => {
    const mail = mailDeliverer();
    const t = await startTestMmsc({
      plugins: [
        // As in the mm3 and mm5 READMEs.
        { plugin: mm5, options: { resolvers: [{ type: 'prefix', routes: [{ prefix: '+1555', target: 'local' }, { prefix: '@', target: 'mm3' }] }], unmatched: 'reject' } },
        mail.plugin,
        recordingPushBearer().plugin,
      ],
    });
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ to: ['bob@mail.example.org', 'Carol@Example.COM'] }), origin: { interface: 'api' } });
      assert.equal(r.status, 'accepted', JSON.stringify(r));
      assert.deepEqual(r.recipients.map((x) => x.status), ['accepted', 'accepted']);
      const recipients = await t.mmsc.getRecipients(r.messageId);
      for (const recipient of recipients) {
        assert.equal(recipient.route?.target, 'mm3');
        assert.equal(recipient.route?.by, '@openmmsc/plugin-mm5');
      }
      await waitFor('both handed to mm3', () => mail.delivered.length === 2);
      assert.deepEqual(mail.delivered.map((d) => d.recipient.address.value).sort(), ['Carol@example.com', 'bob@mail.example.org']);
    } finally {
      await t.stop();
    }
  });

  it('declares the catch-alls it has, for the kernel\'s checks', () => {
    const facts = mm5Facts(
      mm5Options.parse({
        resolvers: [
          { type: 'local', numbers: ['+15550000001'] },
          { type: 'prefix', routes: [{ prefix: '@', target: 'mm3' }, { prefix: '#4', target: 'mm7', destination: 'news' }] },
          { type: 'enum', onNotFound: 'reject' },
        ],
        operators: [{ id: 'peer', prefixes: ['+1666'], target: 'mm4' }],
      }),
    );
    assert.deepEqual(facts.resolver, {
      targets: ['local', 'mm3', 'mm7', 'mm4'],
      answers: ['plmn', 'email', 'shortcode'],
      catchAll: [
        { types: ['email'], option: ['resolvers', 1, 'routes', 0] },
        { types: ['plmn'], option: ['resolvers', 2, 'onNotFound'] },
      ],
    });
  });
});
