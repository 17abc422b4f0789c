import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseAddress, resolveConfig, type DeliveryRequest } from '@openmmsc/core';
import { buildMessage, recordingPushBearer, serviceProvider, startTestMmsc, waitFor } from '@openmmsc/testkit';
import routerPrefix, { PrefixTable, prefixRouterOptions, prefixTableFacts } from '../src/index.js';

async function problems(options: unknown): Promise<string[]> {
  try {
    await resolveConfig({}, { plugins: [{ plugin: routerPrefix, options }] });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems.map((p) => `${p.path}: ${p.message}`);
  }
  assert.fail('accepted');
}

describe('router-prefix options', () => {
  it('a misspelt `unmatched` is refused instead of falling back to `next`', async () => {
    assert.deepEqual(await problems({ routes: [{ prefix: '+1555', target: 'local' }], unmatchd: 'reject' }), [
      'plugins[0] (@openmmsc/plugin-router-prefix).unmatchd: unknown key; did you mean "unmatched"?',
    ]);
    assert.deepEqual(await problems({ routes: [{ prefix: '+1555', target: 'local', destinaton: 'x' }] }), [
      'plugins[0] (@openmmsc/plugin-router-prefix).routes[0].destinaton: unknown key; did you mean "destination"?',
    ]);
  });

  it('a prefix that could never match anything is refused', async () => {
    const [line] = await problems({ routes: [{ prefix: '1555', target: 'local' }] });
    assert.match(line!, /^plugins\[0\] \(@openmmsc\/plugin-router-prefix\)\.routes\[0\]\.prefix: a prefix starts with \+ \(number\), @ \(e-mail domain\) or # \(short code\), or is \* \(anything\)$/);
  });
});

describe('router-prefix: the catch-all e-mail route `@`', () => {
  it('matches every e-mail address, and only e-mail addresses', () => {
    const table = new PrefixTable(prefixRouterOptions.parse({ routes: [{ prefix: '@', target: 'mm3' }, { prefix: '@example.com', target: 'mm4', destination: 'x' }] }));
    assert.deepEqual(table.resolve(parseAddress('bob@mail.example.org')), { kind: 'route', route: { target: 'mm3' } });
    assert.deepEqual(table.resolve(parseAddress('a@example.com')), { kind: 'route', route: { target: 'mm4', destination: 'x' } }, 'a longer domain still wins');
    assert.equal(table.resolve(parseAddress('+15550000001')), undefined);
  });

  it('a message to bob@mail.example.org is routed to mm3 and handed to its deliverer', async () => {
    const delivered: DeliveryRequest[] = [];
    const mail = serviceProvider('test-mm3', 'Deliverer', () => ({ target: 'mm3', deliver: async (request) => (delivered.push(request), { status: 'forwarded' }) }));
    const t = await startTestMmsc({
      plugins: [{ plugin: routerPrefix, options: { routes: [{ prefix: '+1555', target: 'local' }, { prefix: '@', target: 'mm3' }], unmatched: 'reject' } }, mail, recordingPushBearer().plugin],
    });
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ to: 'bob@mail.example.org' }), origin: { interface: 'api' } });
      assert.equal(r.recipients[0]?.status, 'accepted', JSON.stringify(r));
      const [recipient] = await t.mmsc.getRecipients(r.messageId);
      assert.deepEqual(recipient?.route, { target: 'mm3', by: '@openmmsc/plugin-router-prefix' });
      await waitFor('handed to mm3', () => delivered.length === 1);
      assert.equal(delivered[0]!.recipient.address.value, 'bob@mail.example.org');
    } finally {
      await t.stop();
    }
  });
});

describe('router-prefix facts', () => {
  it('names its targets and its catch-alls: bare markers, `*`, and `unmatched: reject`', () => {
    const facts = prefixTableFacts(
      prefixRouterOptions.parse({ routes: [{ prefix: '+1555', target: 'local' }, { prefix: '@', target: 'mm3' }, { prefix: '#12', target: 'mm7' }], unmatched: 'reject' }),
    );
    assert.deepEqual(facts.targets, ['local', 'mm3', 'mm7']);
    assert.deepEqual(facts.catchAll, [
      { types: ['email'], option: ['routes', 1] },
      { types: ['plmn', 'email', 'shortcode', 'ipv4', 'ipv6'], option: ['unmatched'] },
    ]);
    const open = prefixTableFacts(prefixRouterOptions.parse({ routes: [{ prefix: '+1555', target: 'local' }] }));
    assert.deepEqual(open, { targets: ['local'], answers: ['plmn'], catchAll: [] });
  });
});
