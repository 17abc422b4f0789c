import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildMessage, recordingPushBearer, routeAllTo, startTestMmsc, waitFor, type TestMmsc } from '@openmmsc/testkit';
import consolePlugin from '../src/index.js';
import { login, testAccounts, type Login } from './rig.js';

describe('operator actions, each in the recipient history with who did it', () => {
  let t: TestMmsc;
  let base: string;
  let olga: Login;
  const bearer = recordingPushBearer();
  before(async () => {
    t = await startTestMmsc({ plugins: [routeAllTo('local'), bearer.plugin, { plugin: consolePlugin, options: { accounts: await testAccounts() } }] });
    base = `${t.mmsc.adminUrl}/console`;
    olga = await login(base, 'olga');
  });
  after(async () => t?.stop());

  const submit = async (from = '+15550000001', to = '+15550000002') => t.mmsc.submit({ message: buildMessage({ from, to }), origin: { interface: 'mm1' } });
  const act = (id: string, action: string, who = olga) => fetch(`${base}/api/messages/${id}/recipients/0/${action}`, { method: 'POST', headers: { cookie: who.cookie, 'x-csrf-token': who.csrf } });

  it('resend notification: a fresh push goes out and the history says who asked', async () => {
    const r = await submit();
    await waitFor('notified', async () => (await t.mmsc.getRecipients(r.messageId))[0]!.state === 'notified');
    const before = bearer.pushes.filter((p) => p.notification.messageId === r.messageId).length;
    const res = await act(r.messageId, 'resend-notification');
    assert.equal(res.status, 200);
    await waitFor('pushed again', () => bearer.pushes.filter((p) => p.notification.messageId === r.messageId).length === before + 1);
    const h = (await t.mmsc.getRecipients(r.messageId))[0]!.history;
    assert.ok(h.some((e) => e.event === 'operator-renotify' && e.by === 'console:olga'));
  });

  it('cancel: the recipient is rejected by console:<user>; acting on it again is a 409', async () => {
    const r = await submit();
    assert.equal((await act(r.messageId, 'cancel')).status, 200);
    // The move, not the last entry: a notification still on its way lands after it as an event.
    const entry = (await t.mmsc.getRecipients(r.messageId))[0]!.history.findLast((e) => !e.event)!;
    assert.equal(entry.state, 'rejected');
    assert.equal(entry.by, 'console:olga');
    const again = await act(r.messageId, 'retry-now');
    assert.equal(again.status, 409);
    assert.match(((await again.json()) as { detail: string }).detail, /rejected already/);
  });

  it('block sender: its next message is refused on every interface until unblocked', async () => {
    const r = await submit('+15550000077');
    assert.equal((await act(r.messageId, 'block-sender')).status, 200);
    // Found, not the last entry: the message's notification may land after it.
    const blocked = (await t.mmsc.getRecipients(r.messageId))[0]!.history.find((e) => e.event === 'operator-block-sender');
    assert.equal(blocked?.by, 'console:olga', 'the block is in the history with who did it');
    const refused = await submit('+15550000077');
    assert.equal(refused.status, 'rejected');
    assert.equal(refused.status === 'rejected' && refused.reason.code, 'service-denied');
    const list = (await (await fetch(`${base}/api/blocked-senders`, { headers: { cookie: olga.cookie } })).json()) as { blocked: Array<{ address: string; by: string }> };
    assert.deepEqual(list.blocked.map((b) => [b.address, b.by]), [['+15550000077', 'olga']]);
    const un = await fetch(`${base}/api/blocked-senders/${encodeURIComponent('+15550000077')}`, { method: 'DELETE', headers: { cookie: olga.cookie, 'x-csrf-token': olga.csrf } });
    assert.equal(un.status, 200);
    assert.equal((await submit('+15550000077')).status, 'accepted');
  });

  it('an unknown action or recipient is refused in the API\'s terms', async () => {
    const r = await submit();
    assert.equal((await act(r.messageId, 'explode')).status, 400);
    assert.equal((await act('nosuchmessage', 'retry-now')).status, 404);
    assert.equal((await fetch(`${base}/api/messages/${r.messageId}/recipients/7/retry-now`, { method: 'POST', headers: { cookie: olga.cookie, 'x-csrf-token': olga.csrf } })).status, 409);
  });
});
