import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { definePlugin, verdict } from '@openmmsc/core';
import { buildMessage, requireSystem, startSimulatedOcs, waitFor, suiteFixture } from '@openmmsc/testkit';
import { captureLoopback } from '@openmmsc/testkit/tshark';
import { dissect, startWithMm9, SENDER } from './helpers.js';

const mms = (to: string | string[] = '+15550000002', from = `+${SENDER}`) => buildMessage({ from, to, text: 'hello' });

describe('MM9 event charging (CCR-EVENT, DIRECT_DEBITING)', () => {
  const ocs = suiteFixture(() => startSimulatedOcs({ balances: { [SENDER]: 3, '15550000009': 0 } }));

  it('debits the originator one unit per recipient and sends TS 32.299 MMS-Information', async () => {
    const t = await startWithMm9({ peers: [{ port: ocs.port }] });
    try {
      const r = await t.mmsc.submit({ message: mms(['+15550000002', '+15550000003']), origin: { interface: 'mm7', attributes: { vaspId: 'vasp-1' } } });
      assert.equal(r.status, 'accepted');
      assert.equal(ocs.balance(SENDER), 1);
      const cer = ocs.requests.find((q) => q.command === 'CER')!;
      assert.equal(cer.avps['Origin-Host'], 'mmsc.test');
      assert.equal(cer.avps['Auth-Application-Id'], 4);
      const ccr = ocs.ccrs().at(-1)!;
      assert.equal(ccr.requestType, 4);
      assert.equal(ccr.requestedAction, 0);
      assert.equal(ccr.avps['Service-Context-Id'], '32270@3gpp.org');
      assert.deepEqual(ccr.avps['Subscription-Id'], { 'Subscription-Id-Type': 0, 'Subscription-Id-Data': SENDER });
      assert.deepEqual(ccr.avps['Multiple-Services-Credit-Control'], { 'Requested-Service-Unit': { 'CC-Service-Specific-Units': 2 } });
      const info = (ccr.avps['Service-Information'] as Record<string, Record<string, unknown>>)['MMS-Information']!;
      assert.equal(info['Message-ID'], r.messageId);
      assert.deepEqual(info['Originator-Address'], { 'Address-Type': 1, 'Address-Data': `+${SENDER}` });
      assert.equal((info['Recipient-Address'] as unknown[]).length, 2);
      assert.equal(info['VASP-Id'], 'vasp-1');
      assert.equal(info['Message-Type'], 1);
      assert.deepEqual(info['Originator-Interface'], { 'Interface-Id': 'mm7', 'Interface-Type': 3 });
      const [rec] = await t.mmsc.getRecipients(r.messageId);
      assert.equal(rec!.charge?.mm9, 'debited');
    } finally {
      await t.stop();
    }
  });

  it('no credit: the sender gets insufficient-credit and nothing is stored', async () => {
    const t = await startWithMm9({ peers: [{ port: ocs.port }] });
    try {
      for (const iface of ['mm1', 'mm7']) {
        const r = await t.mmsc.submit({ message: mms('+15550000002', '+15550000009'), origin: { interface: iface } });
        assert.equal(r.status, 'rejected');
        assert.equal(r.status === 'rejected' && r.reason.code, 'insufficient-credit');
        assert.equal(await t.mmsc.getMessage(r.messageId), undefined);
        assert.equal(ocs.ccrs().at(-1)!.resultCode, 4012);
      }
      assert.equal(ocs.balance('15550000009'), 0);
    } finally {
      await t.stop();
    }
  });

  it('refunds a recipient that is rejected after the debit', async () => {
    ocs.setBalance(SENDER, 5);
    const t = await startWithMm9({ peers: [{ port: ocs.port }] });
    try {
      const r = await t.mmsc.submit({ message: mms(), origin: { interface: 'mm1' } });
      assert.equal(ocs.balance(SENDER), 4);
      await t.mmsc.transition(r.messageId, 0, 'rejected', { by: 'test', reason: 'handset refused' });
      await waitFor('refund', () => ocs.balance(SENDER) === 5);
      const refund = ocs.ccrs().at(-1)!;
      assert.equal(refund.requestedAction, 1); // REFUND_ACCOUNT
    } finally {
      await t.stop();
    }
  });

  it('undoes the debit when a later stage refuses the message (nothing stored)', async () => {
    ocs.setBalance(SENDER, 5);
    const refuser = definePlugin({ name: 'refuse-at-store', version: '0', apiVersion: '^1.0.0', setup: () => ({ store: () => verdict.reject('service-denied', 'no') }) });
    const t = await startWithMm9({ peers: [{ port: ocs.port }], timeouts: { orphanMs: 100 } }, [refuser]);
    try {
      const r = await t.mmsc.submit({ message: mms(), origin: { interface: 'mm1' } });
      assert.equal(r.status, 'rejected');
      assert.equal(ocs.balance(SENDER), 4);
      await waitFor('orphan refund', () => ocs.balance(SENDER) === 5);
    } finally {
      await t.stop();
    }
  });

  it('per-recipient charging rejects only the recipients without credit', async () => {
    const t = await startWithMm9({ peers: [{ port: ocs.port }], chargedParty: 'recipient' });
    ocs.setBalance('15550000002', 1);
    ocs.setBalance('15550000003', 0);
    try {
      const r = await t.mmsc.submit({ message: mms(['+15550000002', '+15550000003']), origin: { interface: 'mm7' } });
      assert.equal(r.status, 'accepted');
      assert.deepEqual(r.recipients.map((x) => x.status), ['accepted', 'rejected']);
      assert.equal(r.recipients[1]!.status === 'rejected' && r.recipients[1]!.reason.code, 'insufficient-credit');
      assert.equal(ocs.balance('15550000002'), 0);
    } finally {
      await t.stop();
    }
  });

  it('AVP templates: extra AVPs (with operator dictionary entries) and a custom Service-Information', async () => {
    const t = await startWithMm9({
      peers: [{ port: ocs.port }],
      dictionary: [{ name: 'Acme-Tariff', code: 7001, vendorId: 99999, type: 'UTF8String' }],
      extraAvps: [{ name: 'Acme-Tariff', value: 'mms-{interface}' }, { name: 'User-Name', value: '{originator}' }, { name: 'Acme-Tariff', value: '{vaspId}' }],
      serviceInformation: [{ name: 'Service-Information', avps: [{ name: 'MMS-Information', avps: [{ name: 'Message-Size', value: '{size}' }] }] }],
    });
    ocs.setBalance(SENDER, 5);
    try {
      await t.mmsc.submit({ message: mms(), origin: { interface: 'mm1' } });
      const ccr = ocs.ccrs().at(-1)!;
      assert.equal(ccr.avps['99999:7001'], Buffer.from('mms-mm1').toString('hex')); // the OCS does not know it: raw
      assert.equal(ccr.avps['User-Name'], `+${SENDER}`);
      assert.deepEqual(ccr.avps['Service-Information'], { 'MMS-Information': { 'Message-Size': 5 } });
    } finally {
      await t.stop();
    }
  });
});

describe('MM9 session charging (reserve, commit, release)', () => {
  const ocs = suiteFixture(() => startSimulatedOcs({ balances: { [SENDER]: 10 } }));

  it('reserves at submission, commits on delivery, releases on expiry or rejection', async () => {
    const t = await startWithMm9({ peers: [{ port: ocs.port }], mode: 'session', unitsPerRecipient: 2 });
    try {
      const r = await t.mmsc.submit({ message: mms(['+15550000002', '+15550000003']), origin: { interface: 'mm1' } });
      assert.equal(r.status, 'accepted');
      assert.equal(ocs.reserved(SENDER), 4);
      assert.equal(ocs.balance(SENDER), 10);
      const initial = ocs.ccrs().filter((c) => c.requestType === 1);
      assert.equal(initial.length, 2);
      const recipients = await t.mmsc.getRecipients(r.messageId);
      assert.equal(recipients[0]!.charge?.mm9, 'reserved');
      assert.equal(recipients[0]!.charge?.chargingSessionId, initial[0]!.sessionId);

      // Move the recipient as MM1 would (the notify job may race us: notified → notified is allowed).
      if ((await t.mmsc.getRecipients(r.messageId))[0]!.state === 'charged') await t.mmsc.transition(r.messageId, 0, 'notified', { by: 'test' });
      await t.mmsc.transition(r.messageId, 0, 'retrieved', { by: 'test' });
      await t.mmsc.transition(r.messageId, 0, 'delivered', { by: 'test' });
      await waitFor('commit', () => ocs.balance(SENDER) === 8);
      const commits = ocs.ccrs().filter((c) => c.requestType === 3);
      assert.equal(commits.length, 1, 'retrieved then delivered commits once');
      assert.deepEqual(commits[0]!.avps['Multiple-Services-Credit-Control'], { 'Used-Service-Unit': { 'CC-Service-Specific-Units': 2 } });

      await t.mmsc.transition(r.messageId, 1, 'expired', { by: 'test' });
      await waitFor('release', () => ocs.reserved(SENDER) === 0);
      assert.equal(ocs.balance(SENDER), 8);
      const release = ocs.ccrs().filter((c) => c.requestType === 3).at(-1)!;
      assert.deepEqual(release.avps['Multiple-Services-Credit-Control'], { 'Used-Service-Unit': { 'CC-Service-Specific-Units': 0 } });
    } finally {
      await t.stop();
    }
  });

  it('commits a reservation kept the 0.1 way (charge.mm9Session) by a recipient stored before the upgrade', async () => {
    const t = await startWithMm9({ peers: [{ port: ocs.port }], mode: 'session', unitsPerRecipient: 1 });
    try {
      ocs.setBalance(SENDER, 10);
      const r = await t.mmsc.submit({ message: mms(), origin: { interface: 'mm1' } });
      const sessionId = ocs.ccrs().filter((c) => c.requestType === 1).at(-1)!.sessionId!;
      await t.mmsc.store.updateRecipient(r.messageId, 0, (rec) => {
        const { chargingSessionId: _moved, ...charge } = rec.charge ?? {};
        return { ...rec, charge: { ...charge, mm9Session: sessionId } };
      });
      if ((await t.mmsc.getRecipients(r.messageId))[0]!.state === 'charged') await t.mmsc.transition(r.messageId, 0, 'notified', { by: 'test' });
      await t.mmsc.transition(r.messageId, 0, 'retrieved', { by: 'test' });
      await waitFor('commit', () => ocs.ccrs().some((c) => c.requestType === 3 && c.sessionId === sessionId));
      assert.equal(ocs.balance(SENDER), 9);
    } finally {
      await t.stop();
    }
  });

  it('refuses a reservation beyond the balance', async () => {
    const t = await startWithMm9({ peers: [{ port: ocs.port }], mode: 'session', unitsPerRecipient: 100 });
    try {
      const r = await t.mmsc.submit({ message: mms(), origin: { interface: 'mm1' } });
      assert.equal(r.status === 'rejected' && r.reason.code, 'insufficient-credit');
    } finally {
      await t.stop();
    }
  });
});

describe('MM9 when the OCS is unreachable, and failover', () => {
  it('fail-closed defers (or rejects), fail-open accepts', async () => {
    const ocs = await startSimulatedOcs({ behaviour: 'down', balances: { [SENDER]: 10 } });
    const fast = { requestMs: 200, connectMs: 200, waitForPeerMs: 200, reconnectMinMs: 50, reconnectMaxMs: 200 };
    try {
      for (const [policy, expected] of [['defer', 'deferred'], ['reject', 'rejected'], ['accept', 'accepted']] as const) {
        const t = await startWithMm9({ peers: [{ port: ocs.port }], onUnreachable: policy, timeouts: fast });
        try {
          const r = await t.mmsc.submit({ message: mms(), origin: { interface: 'mm1' } });
          assert.equal(r.status, expected, policy);
          if (r.status === 'deferred') assert.equal(r.reason.code, 'network-problem');
          if (r.status === 'rejected') assert.equal(r.reason.code, 'service-denied');
          const ready = await fetch(`${t.mmsc.adminUrl}/ready`);
          assert.equal(ready.status, policy === 'accept' ? 200 : 503, 'fail-open stays ready');
        } finally {
          await t.stop();
        }
      }
      // The OCS comes back: the peer reconnects by itself.
      const t = await startWithMm9({ peers: [{ port: ocs.port }], onUnreachable: 'defer', timeouts: fast });
      try {
        await ocs.setBehaviour('normal');
        await waitFor('reconnect', () => ocs.requests.some((q) => q.command === 'CER'), { timeoutMs: 5000 });
        const r = await t.mmsc.submit({ message: mms(), origin: { interface: 'mm1' } });
        assert.equal(r.status, 'accepted');
      } finally {
        await t.stop();
      }
    } finally {
      await ocs.stop();
    }
  });

  it('fails over to the second peer with the T flag when the first drops the request, and a slow OCS times out', async () => {
    const primary = await startSimulatedOcs({ balances: { [SENDER]: 10 }, originHost: 'ocs1' });
    const secondary = await startSimulatedOcs({ balances: { [SENDER]: 10 }, originHost: 'ocs2' });
    const t = await startWithMm9({
      peers: [{ port: primary.port, name: 'ocs1' }, { port: secondary.port, name: 'ocs2' }],
      timeouts: { requestMs: 300, connectMs: 500, reconnectMinMs: 50, reconnectMaxMs: 200, waitForPeerMs: 1000 },
    });
    try {
      assert.equal((await t.mmsc.submit({ message: mms(), origin: { interface: 'mm1' } })).status, 'accepted');
      assert.equal(primary.ccrs().length, 1);
      assert.equal(secondary.ccrs().length, 0);

      await primary.setBehaviour('drop');
      assert.equal((await t.mmsc.submit({ message: mms(), origin: { interface: 'mm1' } })).status, 'accepted');
      assert.equal(primary.ccrs().length, 2);
      assert.equal(secondary.ccrs().length, 1);
      assert.equal(secondary.ccrs()[0]!.retransmit, true);
      assert.equal(primary.ccrs()[1]!.sessionId, secondary.ccrs()[0]!.sessionId);
      assert.equal(primary.balance(SENDER), 9);
      assert.equal(secondary.balance(SENDER), 9);

      // Slow primary: the request times out there and is answered by the secondary.
      await primary.setBehaviour('slow');
      await waitFor('primary reconnected', () => primary.connections >= 2, { timeoutMs: 5000 });
      await waitFor('primary open', async () => (await fetch(`${t.mmsc.adminUrl}/ready`)).status === 200);
      const started = Date.now();
      assert.equal((await t.mmsc.submit({ message: mms(), origin: { interface: 'mm1' } })).status, 'accepted');
      assert.ok(Date.now() - started < 1500);
      assert.equal(secondary.ccrs().length, 2);
    } finally {
      await t.stop();
      await primary.stop();
      await secondary.stop();
    }
  });

  it('sends watchdogs when idle and reconnects when they go unanswered', async () => {
    const ocs = await startSimulatedOcs({ balances: { [SENDER]: 10 } });
    const t = await startWithMm9({ peers: [{ port: ocs.port }], timeouts: { watchdogMs: 150, reconnectMinMs: 50, reconnectMaxMs: 100 } });
    try {
      await waitFor('a DWR', () => ocs.requests.some((q) => q.command === 'DWR' && q.resultCode === 2001), { timeoutMs: 3000 });
      await ocs.setBehaviour('hang');
      await waitFor('a reconnect after the unanswered DWR', () => ocs.connections >= 2, { timeoutMs: 5000 });
      await ocs.setBehaviour('normal');
      assert.equal((await t.mmsc.submit({ message: mms(), origin: { interface: 'mm1' } })).status, 'accepted');
    } finally {
      await t.stop();
      await ocs.stop();
    }
    assert.ok(ocs.requests.some((q) => q.command === 'DPR'), 'DPR sent on shutdown');
  });
});

describe('MM9 on the wire, dissected by tshark', { skip: requireSystem('tshark') }, () => {
  it('CER/CEA, CCR/CCA with Service-Context-Id and Result-Codes as tshark reads them', async () => {
    const ocs = await startSimulatedOcs({ balances: { [SENDER]: 1 } });
    const dir = await mkdtemp(join(tmpdir(), 'mm9-pcap-'));
    const file = join(dir, 'diameter.pcapng');
    try {
      const capture = await captureLoopback(ocs.port, file);
      const t = await startWithMm9({ peers: [{ port: ocs.port }] });
      try {
        const ok = await t.mmsc.submit({ message: mms(), origin: { interface: 'mm1' } });
        const broke = await t.mmsc.submit({ message: mms(), origin: { interface: 'mm1' } });
        assert.equal(ok.status, 'accepted');
        assert.equal(broke.status, 'rejected');
      } finally {
        await t.stop();
        await capture.stop();
      }
      const messages = dissect(file, ocs.port);
      const cer = messages.find((m) => m['cmd.code'] === '257' && m['flags.request'] === '1');
      const cea = messages.find((m) => m['cmd.code'] === '257' && m['flags.request'] === '0');
      assert.ok(cer && cea, JSON.stringify(messages));
      assert.equal(cea['Result-Code'], '2001');
      const ccrs = messages.filter((m) => m['cmd.code'] === '272' && m['flags.request'] === '1');
      const ccas = messages.filter((m) => m['cmd.code'] === '272' && m['flags.request'] === '0');
      assert.equal(ccrs.length, 2, JSON.stringify(messages));
      assert.equal(ccrs[0]!['Service-Context-Id'], '32270@3gpp.org');
      assert.equal(ccrs[0]!['CC-Request-Type'], '4');
      assert.equal(ccrs[0]!['Requested-Action'], '0');
      assert.equal(ccrs[0]!['Subscription-Id-Data'], SENDER);
      assert.equal(ccrs[0]!.applicationId, '4');
      assert.deepEqual(ccas.map((m) => m['Result-Code']), ['2001', '4012']);
      assert.ok(messages.some((m) => m['cmd.code'] === '282'), 'DPR/DPA on shutdown');
    } finally {
      await ocs.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
