import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildMessage, waitFor } from '@openmmsc/testkit';
import { Mm7Client, RELEASES, writeEnvelope, type DeliverReq, type DeliveryReportReq, type ReadReplyReq } from '@openmmsc/mm7';
import { clientOptions, imagePart, PASSWORD, startHarness, textPart, type Mm7Harness } from './helpers.js';

describe('MM7 over real HTTP', () => {
  let h: Mm7Harness;
  let client: Mm7Client;
  before(async () => {
    h = await startHarness();
    client = h.vasp.client(clientOptions(h));
  });
  after(async () => {
    await h.stop();
  });

  it('SubmitReq reaches a local handset, and the VASP gets the delivery report', async () => {
    const answer = await client.submit({
      to: ['+15550000002'],
      from: '12345',
      subject: 'Your statement',
      deliveryReport: true,
      messageClass: 'Informational',
      priority: 'High',
      linkedId: 'mo-1',
      chargedParty: 'Sender',
      distributionIndicator: false,
      parts: [textPart('Hello from the bank'), imagePart(30 * 1024)],
    });
    assert.equal(answer.httpStatus, 200, answer.error);
    assert.equal(answer.status?.code, 1000);
    const id = answer.messageId!;
    assert.ok(id);
    const push = await waitFor('the handset is notified', () => h.pushes.find((p) => p.notification.messageId === id));
    assert.equal(push.to.value, '+15550000002');
    assert.equal(push.notification.subject?.text, 'Your statement');

    const stored = await h.t.mmsc.getMessage(id);
    assert.equal(stored?.origin.interface, 'mm7');
    assert.equal(stored?.origin.attributes?.vaspId, 'acme');
    assert.equal(stored?.headers.from.value, '12345');
    assert.equal(stored?.headers.messageClass, 'informational');
    assert.equal(stored?.headers.priority, 'high');
    assert.equal(stored?.headers.deliveryReport, true);
    assert.equal(stored?.headers.extra?.['X-Mm7-Linked-ID'], 'mo-1');
    assert.equal(stored?.headers.extra?.['X-Mm7-Charged-Party'], 'Sender');
    assert.equal(stored?.headers.extra?.['X-Mms-Distribution-Indicator'], 'No');
    const parts = await h.t.mmsc.getParts(id);
    assert.equal(parts?.length, 2);
    assert.equal(Buffer.from(parts![0]!.data).toString(), 'Hello from the bank');
    assert.equal(parts![1]!.data.byteLength, 30 * 1024);
    assert.equal(parts![1]!.contentType.type, 'image/jpeg');

    // The handset fetches and acknowledges (MM1 side simulated through the kernel).
    await h.t.mmsc.transition(id, 0, 'retrieved', { by: 'mm1' });
    await h.t.mmsc.transition(id, 0, 'delivered', { by: 'mm1' });
    const report = await waitFor('the VASP receives a DeliveryReportReq', () => h.vasp.deliveryReports().find((r) => (r.body as DeliveryReportReq).messageId === id));
    const body = report.body as DeliveryReportReq;
    assert.equal(body.mmStatus, 'Retrieved');
    assert.equal(body.recipient.value, '+15550000002');
    assert.equal(body.sender.value, '12345');
    assert.equal(report.release.name, 'REL-6-MM7-1-4');
    assert.equal(report.headers.authorization, `Basic ${Buffer.from('mmsc:to-vasp').toString('base64')}`);
  });

  it('a read reply goes back to the VASP that asked for it', async () => {
    const answer = await client.submit({ to: ['+15550000003'], readReply: true, parts: [textPart('read me')] });
    const id = answer.messageId!;
    await h.t.mmsc.sendReport(id, { kind: 'read', messageId: id, recipient: h.t.mmsc.parseAddress('+15550000003'), status: 'read', at: Date.now() });
    const rr = await waitFor('ReadReplyReq', () => h.vasp.readReplies().find((r) => (r.body as ReadReplyReq).messageId === id));
    assert.equal((rr.body as ReadReplyReq).mmStatus, 'Read');
  });

  it('an MO message to the short code arrives at the VASP as DeliverReq', async () => {
    const mo = buildMessage({ from: '+15550000007', to: '12345', subject: 'STOP', text: 'stop all alerts', parts: [imagePart(2048, 'pic')] });
    const sent = await h.t.mmsc.submit({ message: mo, origin: { interface: 'mm1' } });
    assert.equal(sent.status, 'accepted');
    const got = await waitFor('DeliverReq at the VASP', () => h.vasp.deliveries().find((r) => (r.body as DeliverReq).linkedId === sent.messageId));
    const body = got.body as DeliverReq;
    assert.equal(body.sender.value, '+15550000007');
    assert.deepEqual(body.recipients?.to.map((a) => a.value), ['12345']);
    assert.equal(body.subject, 'STOP');
    assert.equal(got.parts.length, 2);
    assert.equal(Buffer.from(got.parts[0]!.data).toString(), 'stop all alerts');
    assert.equal(got.parts[1]!.data.byteLength, 2048);
    await waitFor('the MO recipient is delivered', async () => (await h.t.mmsc.getRecipients(sent.messageId))[0]?.state === 'delivered');
  });

  it('a busy VASP gets the DeliverReq again later (retried with back-off)', async () => {
    h.vasp.failNext(2, { code: 4006, httpStatus: 503 });
    const sent = await h.t.mmsc.submit({ message: buildMessage({ from: '+15550000008', to: '12345', text: 'retry me' }), origin: { interface: 'mm1' } });
    await waitFor('delivered after retries', async () => (await h.t.mmsc.getRecipients(sent.messageId))[0]?.state === 'delivered', { timeoutMs: 15_000 });
    const attempts = h.vasp.deliveries().filter((r) => (r.body as DeliverReq).linkedId === sent.messageId);
    assert.equal(attempts.length, 3);
  });

  it('a VASP that refuses a DeliverReq for good (2xxx) makes the recipient rejected', async () => {
    h.vasp.failNext(1, { code: 2002, text: 'no such subscriber' });
    const sent = await h.t.mmsc.submit({ message: buildMessage({ from: '+15550000009', to: '12345', text: 'refuse me' }), origin: { interface: 'mm1' } });
    await waitFor('rejected', async () => (await h.t.mmsc.getRecipients(sent.messageId))[0]?.state === 'rejected');
  });

  it('raw HTTP: SMIL in multipart/related, quoted-printable, base64 and a nested multipart/alternative', async () => {
    const envelope = writeEnvelope({
      release: RELEASES['REL-5-MM7-1-3'],
      transactionId: 'raw-1',
      version: '5.5.0',
      dialect: { envelopePrefix: 'SOAP-ENV', mm7Prefix: '', xmlDeclaration: true, mustUnderstand: true },
      body: { type: 'SubmitReq', senderIdentification: { vaspId: 'acme' }, recipients: { to: [{ kind: 'Number', value: '+15550000017' }], cc: [], bcc: [] }, subject: 'Grüße', content: { href: 'cid:body@acme' } },
    });
    const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
    const body = [
      '--outer',
      'Content-Type: text/xml; charset=utf-8',
      'Content-ID: <soap@acme>',
      '',
      envelope,
      '--outer',
      'Content-Type: multipart/related; boundary="inner"; type="application/smil"; start="<smil@acme>"',
      'Content-ID: <body@acme>',
      '',
      '--inner',
      'Content-Type: application/smil; charset=utf-8',
      'Content-ID: <smil@acme>',
      'Content-Location: pres.smil',
      '',
      '<smil><body><par dur="5s"><img src="logo.gif"/><text src="msg.txt"/></par></body></smil>',
      '--inner',
      'Content-Type: multipart/alternative; boundary=alt',
      '',
      '--alt',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      'Content-Location: msg.txt',
      '',
      'Gr=C3=BC=C3=9Fe aus dem =',
      'Norden',
      '--alt--',
      '--inner',
      'Content-Type: image/gif',
      'Content-Transfer-Encoding: base64',
      'Content-Location: logo.gif',
      '',
      gif.toString('base64'),
      '--inner--',
      '--outer--',
      '',
    ].join('\r\n');
    const res = await fetch(h.url, {
      method: 'POST',
      headers: { 'content-type': 'multipart/related; boundary=outer; type="text/xml"; start="<soap@acme>"', authorization: `Basic ${Buffer.from(`acme:${PASSWORD}`).toString('base64')}`, soapaction: '""' },
      body,
    });
    const xml = await res.text();
    assert.equal(res.status, 200, xml);
    assert.match(xml, /REL-5-MM7-1-3/);
    assert.match(xml, /<(\w+:)?MM7Version>5\.5\.0</); // the request's version, echoed
    const id = /<(?:\w+:)?MessageID>([^<]+)</.exec(xml)![1]!;
    const stored = await h.t.mmsc.getMessage(id);
    assert.equal(stored?.headers.subject?.text, 'Grüße');
    assert.equal(stored?.headers.contentType.type, 'application/vnd.wap.multipart.related');
    const parts = (await h.t.mmsc.getParts(id))!;
    assert.deepEqual(parts.map((p) => p.contentType.type), ['application/smil', 'text/plain', 'image/gif']);
    // One model for Content-IDs: stored bare, and `start` names the root the same way.
    assert.equal(parts[0]!.contentId, 'smil@acme');
    assert.equal(stored?.headers.contentType.params.start, parts[0]!.contentId);
    assert.equal(Buffer.from(parts[1]!.data).toString('utf8'), 'Grüße aus dem Norden');
    assert.deepEqual(Buffer.from(parts[2]!.data), gif);
    assert.equal(parts[2]!.contentLocation, 'logo.gif');
  });

  it('many recipients: each gets its own outcome (1100 partial success with details)', async () => {
    const answer = await client.submit({
      recipients: {
        to: [{ kind: 'Number', value: '+15550000010' }, { kind: 'Number', value: 'not-a-number' }],
        cc: [{ kind: 'Number', value: '+4915112345678' }],
        bcc: [{ kind: 'RFC2822Address', value: 'nobody@example.org' }],
      },
      parts: [textPart('campaign')],
    });
    assert.equal(answer.status?.code, 1100, JSON.stringify(answer.status));
    const details = new Map(answer.status?.details?.map((d) => [d.address, d.code]));
    assert.equal(details.get('not-a-number'), 2002);
    assert.equal(details.get('+4915112345678'), 2002);
    assert.equal(details.get('nobody@example.org'), 2002);
    assert.ok(!details.has('+15550000010'));
    const recipients = await h.t.mmsc.getRecipients(answer.messageId!);
    assert.equal(recipients.filter((r) => r.state !== 'rejected').length, 1);
  });

  it('CancelReq stops a pending message; a second cancel is "not possible"', async () => {
    const answer = await client.submit({ to: ['+15550000011', '+15550000012'], parts: [textPart('cancel me')], earliestDeliveryTime: 'PT1H' });
    const id = answer.messageId!;
    const cancelled = await client.cancel(id);
    assert.equal(cancelled.response?.type, 'CancelRsp');
    assert.equal(cancelled.status?.code, 1000);
    const recipients = await h.t.mmsc.getRecipients(id);
    assert.ok(recipients.every((r) => r.state === 'rejected'));
    const again = await client.cancel(id);
    assert.equal(again.status?.code, 3001);
  });

  it('ReplaceReq swaps the content while nothing was fetched; not after retrieval', async () => {
    const answer = await client.submit({ to: ['+15550000013'], parts: [textPart('version 1')], earliestDeliveryTime: 'PT1H' });
    const id = answer.messageId!;
    const replaced = await client.replace(id, [textPart('version 2')], { readReply: true });
    assert.equal(replaced.response?.type, 'ReplaceRsp');
    assert.equal(replaced.status?.code, 1000, JSON.stringify(replaced.status));
    const parts = await h.t.mmsc.getParts(id);
    assert.equal(Buffer.from(parts![0]!.data).toString(), 'version 2');
    assert.equal((await h.t.mmsc.getMessage(id))?.headers.readReport, true);

    const other = await client.submit({ to: ['+15550000014'], parts: [textPart('v1')] });
    await waitFor('notified', () => h.pushes.find((p) => p.notification.messageId === other.messageId));
    await h.t.mmsc.transition(other.messageId!, 0, 'retrieved', { by: 'mm1' });
    const late = await client.replace(other.messageId!, [textPart('v2')]);
    assert.equal(late.status?.code, 3001);
  });

  it('only the submitting VASP may cancel or replace; unknown ids are 2005', async () => {
    const answer = await client.submit({ to: ['+15550000015'], parts: [textPart('mine')] });
    const mallory = h.vasp.client({ url: h.url, vaspId: 'acme', password: 'wrong' });
    const denied = await mallory.cancel(answer.messageId!);
    assert.equal(denied.httpStatus, 401);
    const missing = await client.cancel('no-such-message');
    assert.equal(missing.status?.code, 2005);
    const mo = await h.t.mmsc.submit({ message: buildMessage({ to: '+15550000016', text: 'not from a VASP' }), origin: { interface: 'mm1' } });
    const foreign = await client.cancel(mo.messageId);
    assert.equal(foreign.status?.code, 2001);
  });
});
