import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimulatedSmsc, waitFor, whileRunning } from '@openmmsc/testkit';
import { link, mmscWith, notified, recipientState, send } from './helpers.js';

describe('push-smpp: links', () => {
  it('fails over to the second SMSC when the first is down, and back', async () => {
    const a = new SimulatedSmsc();
    const b = new SimulatedSmsc();
    await a.start();
    await b.start();
    await whileRunning(mmscWith([a.port, b.port]), async ({ t }) => {
      assert.equal(a.boundSessions + b.boundSessions, 2);
      await notified(t, await send(t, '+15550004001'));
      assert.equal(a.submits.length, 1);
      assert.equal(b.submits.length, 0);
      a.outage(60_000);
      await notified(t, await send(t, '+15550004002'));
      assert.equal(b.submits.length, 1);
      assert.equal(b.submits[0]!.destinationAddr, '15550004002');
      a.refuseConnections = false;
      await waitFor('link A bound again', () => a.boundSessions === 1);
      await notified(t, await send(t, '+15550004003'));
      assert.equal(a.submits.length, 2);
      assert.equal(b.submits.length, 1);
    }, a, b);
  });

  it('shares the load over every bound link with round-robin', async () => {
    const a = new SimulatedSmsc();
    const b = new SimulatedSmsc();
    await a.start();
    await b.start();
    await whileRunning(mmscWith([a.port, b.port], { strategy: 'round-robin' }), async ({ t }) => {
      const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => send(t, `+1555000${5000 + i}`)));
      for (const id of ids) await notified(t, id);
      assert.equal(a.submits.length + b.submits.length, 10);
      assert.equal(a.submits.length, 5);
      assert.equal(b.submits.length, 5);
    }, a, b);
  });

  it('stays ready while no link is bound, says it cannot notify, holds the push, then delivers once bound', async () => {
    const smsc = new SimulatedSmsc({ systemId: 'mmsc', password: 'other' });
    await smsc.start();
    await whileRunning(mmscWith([smsc.port], { waitForLinkMs: 100 }), async ({ t }) => {
      // The node still takes messages: a load balancer must not pull it for an SMSC problem.
      const res = await fetch(`${t.mmsc.adminUrl}/ready`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as { checks: Record<string, unknown>; abilities: Record<string, unknown> };
      assert.equal(body.checks['@openmmsc/plugin-push-smpp'], undefined);
      assert.match(String(body.abilities.notify), /127\.0\.0\.1:\d+: .*ESME_RINVPASWD/);
      assert.equal((await fetch(`${t.mmsc.adminUrl}/ready/notify`)).status, 503);
      const id = await send(t, '+15550006001');
      await waitFor('the push was held', async () =>
        /result="unavailable"\} [1-9]/.test(await t.mmsc.registry.getSingleMetricAsString('openmmsc_smpp_pushes_total')),
      );
      assert.equal((await recipientState(t, id))?.state, 'charged');
      const job = await t.mmsc.queue.job(`notify:${id}:0`);
      assert.equal(job?.state, 'held');
      assert.equal(job?.attempt, 0);
      // The operator fixes the password on the SMSC side: the link binds on its next attempt.
      smsc.setCredentials('mmsc', 'secret');
      await notified(t, id);
      assert.equal((await fetch(`${t.mmsc.adminUrl}/ready/notify`)).status, 200);
    }, smsc);
  });

  it('drops a link whose SMSC stops answering at the submit time-out, holds the push, and recovers', async () => {
    const smsc = new SimulatedSmsc();
    await smsc.start();
    // The keep-alive is slow on purpose: the unanswered submit_sm alone takes the link down.
    await whileRunning(mmscWith([smsc.port], { links: [link(smsc.port, { enquireLinkMs: 5000, responseTimeoutMs: 300 })], waitForLinkMs: 200 }), async ({ t }) => {
      smsc.silent = true;
      const id = await send(t, '+15550008001');
      await waitFor('a submit timed out', async () => /outcome="timeout"\} [1-9]/.test(await t.mmsc.registry.getSingleMetricAsString('openmmsc_smpp_submits_total')));
      assert.match(await t.mmsc.registry.getSingleMetricAsString('openmmsc_smpp_link_stalls_total'), /\} 1/);
      const bindsBefore = smsc.binds.length;
      await waitFor('the dead link dropped and a new bind tried', () => smsc.binds.length > bindsBefore || smsc.boundSessions === 0);
      assert.equal(smsc.submits.length, 0);
      smsc.silent = false;
      await notified(t, id);
      assert.equal(smsc.submits.length, 1);
      assert.equal(smsc.boundSessions, 1);
    }, smsc);
  });

  it('reconnects after the SMSC unbinds', async () => {
    const smsc = new SimulatedSmsc();
    await smsc.start();
    await whileRunning(mmscWith([smsc.port]), async ({ t }) => {
      smsc.unbindAll();
      await waitFor('bound again', () => smsc.binds.length >= 2 && smsc.boundSessions === 1);
      await notified(t, await send(t, '+15550008002'));
      assert.equal(smsc.submits.length, 1);
    }, smsc);
  });

  it('binds as transmitter when asked and answers enquire_link', async () => {
    const smsc = new SimulatedSmsc();
    await smsc.start();
    await whileRunning(mmscWith([smsc.port], { links: [link(smsc.port, { bindMode: 'transmitter', enquireLinkMs: 50 })] }), async ({ t }) => {
      assert.equal(smsc.binds[0]?.mode, 'transmitter');
      await waitFor('enquire_link sent', () => smsc.enquireLinks >= 2);
      await notified(t, await send(t, '+15550007001'));
      assert.equal(smsc.submits.length, 1);
    }, smsc);
  });
});
