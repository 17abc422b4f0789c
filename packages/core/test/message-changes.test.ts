import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageChangeError } from '@openmmsc/core';
import { buildMessage, recordingPushBearer, recordingReportSender, routeAllTo, startTestMmsc, waitFor } from '@openmmsc/testkit';
import { withLocalMmsc } from './helpers/local-mmsc.js';


describe('cancel and replace', () => {
  it('cancels pending recipients, leaves delivered ones, sends no delivery report for the cancel', async () => {
    const push = recordingPushBearer();
    const reports = recordingReportSender('api');
    const t = await startTestMmsc({ plugins: [routeAllTo('local'), push.plugin, reports.plugin] });
    try {
      const r = await t.mmsc.submit({ message: buildMessage({ to: ['+15550000002', '+15550000003'], deliveryReport: true }), origin: { interface: 'api' } });
      await waitFor('notified', async () => (await t.mmsc.getRecipients(r.messageId)).every((x) => x.state === 'notified'));
      await t.mmsc.transition(r.messageId, 0, 'delivered', { by: 'test' });
      const outcome = await t.mmsc.cancel(r.messageId, { by: 'vasp' });
      assert.deepEqual(outcome, { cancelled: 1, alreadyFinal: 1, delivered: 1 });
      const rs = await t.mmsc.getRecipients(r.messageId);
      assert.deepEqual(rs.map((x) => x.state), ['delivered', 'rejected']);
      await waitFor('delivered report', () => reports.reports.length === 1);
      assert.equal(reports.reports[0]!.status, 'retrieved');
      await assert.rejects(t.mmsc.cancel('no-such-message', { by: 'vasp' }), (e: unknown) => e instanceof MessageChangeError && e.code === 'not-found');
    } finally {
      await t.stop();
    }
  });

  it('replaces content before retrieval, and refuses after', async () => {
    await withLocalMmsc(async (t) => {
      const r = await t.mmsc.submit({ message: buildMessage({ text: 'old' }), origin: { interface: 'api' } });
      await t.mmsc.replace(r.messageId, {
        parts: [{ contentType: { type: 'text/plain', params: {} }, data: Buffer.from('brand new text') }],
        headers: { subject: { text: 'new subject' } },
      });
      const m = await t.mmsc.getMessage(r.messageId);
      assert.equal(m!.headers.subject!.text, 'new subject');
      assert.equal(m!.size, 14);
      assert.equal(Buffer.from((await t.mmsc.getParts(r.messageId))![0]!.data).toString(), 'brand new text');
      await waitFor('notified', async () => (await t.mmsc.getRecipients(r.messageId))[0]!.state === 'notified');
      await t.mmsc.transition(r.messageId, 0, 'retrieved', { by: 'mm1' });
      await assert.rejects(t.mmsc.replace(r.messageId, { headers: { subject: { text: 'too late' } } }), (e: unknown) => e instanceof MessageChangeError && e.code === 'already-delivered');
    });
  });
});
