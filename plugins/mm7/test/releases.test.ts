import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildMessage, requireSystem, waitFor, suiteFixture } from '@openmmsc/testkit';
import { RELEASE_NAMES, decodeMm7, type DeliverReq, type HttpPayload } from '@openmmsc/mm7';
import { imagePart, PASSWORD, startHarness, textPart, validateEnvelopes } from './helpers.js';

/** A VASP account per release, each with its own short code, all answered by the simulated VASP. */
const perRelease = RELEASE_NAMES.map((release, i) => ({
  id: `v${i}`,
  password: PASSWORD,
  shortCodes: [`${7000 + i}`],
  outboundAuth: { username: 'mmsc', password: 'to-vasp' },
  dialect: { release, envelopePrefix: i % 2 ? '' : 'soapenv', mm7Prefix: i % 3 ? 'mm7' : '' },
}));

describe('every MM7 release over HTTP, every emitted message schema-valid', () => {
  const emitted: Array<{ release: string; xml: string; label: string }> = [];
  const record = (label: string) => (payload: HttpPayload) => {
    const decoded = decodeMm7(payload.contentType, payload.body);
    emitted.push({ release: decoded.envelope.release.name, xml: decoded.xml, label });
  };

  const h = suiteFixture(() => startHarness({ accounts: (url) => perRelease.map((v) => ({ ...v, url })) }));

  it('submits, cancels and replaces in each release; answers use the request\'s release and version', async () => {
    for (const [i, release] of RELEASE_NAMES.entries()) {
      const client = h.vasp.client({ url: h.url, vaspId: `v${i}`, password: PASSWORD, release, onSend: record(`client request ${release}`), transferEncoding: i % 2 ? 'base64' : 'binary' });
      const sub = await client.submit({ to: ['+15550001000', '+15550001001'], from: `${7000 + i}`, subject: `release ${release}`, deliveryReport: true, readReply: true, parts: [textPart('hi'), imagePart(1000)], earliestDeliveryTime: 'PT1H' });
      assert.equal(sub.status?.code, 1000, `${release}: ${JSON.stringify(sub.status ?? sub.error)}`);
      assert.ok(sub.messageId, `${release}: MessageID`);
      assert.equal(sub.decoded?.envelope.release.name, release);
      emitted.push({ release, xml: sub.decoded!.xml, label: `SubmitRsp ${release}` });
      const rep = await client.replace(sub.messageId!, [textPart('replaced')]);
      assert.equal(rep.status?.code, 1000, `${release} replace: ${JSON.stringify(rep.status)}`);
      emitted.push({ release, xml: rep.decoded!.xml, label: `ReplaceRsp ${release}` });
      const can = await client.cancel(sub.messageId!);
      assert.equal(can.status?.code, 1000, `${release} cancel`);
      emitted.push({ release, xml: can.decoded!.xml, label: `CancelRsp ${release}` });
      const missing = await client.cancel('nope');
      assert.equal(missing.status?.code, 2005);
      emitted.push({ release, xml: missing.decoded!.xml, label: `CancelRsp 2005 ${release}` });
      // A fault: unknown recipient type.
      const bad = await client.submit({ recipients: { to: [{ kind: 'Number', value: 'xyz' }], cc: [], bcc: [] }, parts: [textPart('x')] });
      assert.equal(bad.status?.code, 2002);
      assert.equal(bad.httpStatus, 500);
      emitted.push({ release, xml: bad.decoded!.xml, label: `Fault 2002 ${release}` });
      if (release === 'REL-6-MM7-1-4') {
        const sub2 = await client.submit({ to: ['+15550001002'], parts: [textPart('x')], earliestDeliveryTime: 'PT1H' });
        const xr = await client.send({ type: 'extendedReplaceReq', vaspId: 'v9', replaceId: sub2.messageId! }, [textPart('extended')]);
        assert.equal(xr.status?.code, 1000);
        emitted.push({ release, xml: xr.decoded!.xml, label: 'extendedReplaceRsp' });
        const xc = await client.send({ type: 'extendedCancelReq', senderIdentification: { vaspId: 'v9' }, cancelId: sub2.messageId! });
        assert.equal(xc.status?.code, 1000);
        emitted.push({ release, xml: xc.decoded!.xml, label: 'extendedCancelRsp' });
      }
    }
  });

  it('sends DeliverReq, DeliveryReportReq and ReadReplyReq in each VASP\'s release', async () => {
    for (const [i, release] of RELEASE_NAMES.entries()) {
      const client = h.vasp.client({ url: h.url, vaspId: `v${i}`, password: PASSWORD, release });
      const sub = await client.submit({ to: ['+15550002000'], from: `${7000 + i}`, deliveryReport: true, readReply: true, parts: [textPart('report me')] });
      const id = sub.messageId!;
      await waitFor('notified', () => h.pushes.find((p) => p.notification.messageId === id));
      await h.t.mmsc.transition(id, 0, 'retrieved', { by: 'mm1' });
      await h.t.mmsc.transition(id, 0, 'delivered', { by: 'mm1' });
      await h.t.mmsc.sendReport(id, { kind: 'read', messageId: id, recipient: h.t.mmsc.parseAddress('+15550002000'), status: 'read', at: Date.now() });
      const mo = await h.t.mmsc.submit({ message: buildMessage({ from: '+15550002001', to: `${7000 + i}`, text: 'MO', parts: [imagePart(500)] }), origin: { interface: 'mm1' } });
      assert.equal(mo.status, 'accepted');
      await waitFor(`${release}: reports and MO at the VASP`, () =>
        h.vasp.deliveryReports().some((r) => (r.body as { messageId: string }).messageId === id) &&
        h.vasp.readReplies().some((r) => (r.body as { messageId: string }).messageId === id) &&
        h.vasp.deliveries().some((r) => (r.body as DeliverReq).linkedId === mo.messageId),
      );
    }
    for (const r of h.vasp.received) emitted.push({ release: r.release.name, xml: r.xml, label: `${r.type} from the MMSC` });
    const releasesSeen = new Set(h.vasp.received.map((r) => r.release.name));
    assert.equal(releasesSeen.size, RELEASE_NAMES.length);
    // What the simulated VASP answered is MM7 we emit too.
    h.vasp.answers.forEach((xml, i) => {
      const m = /23\.140\/schema\/(REL-[56]-MM7-1-[0-4])/.exec(xml);
      emitted.push({ release: m![1]!, xml, label: `simulated VASP answer ${i}` });
    });
  });

  it('refusals (auth, busy, malformed) are schema-valid faults too', async () => {
    const post = async (body: string, headers: Record<string, string>) => {
      const res = await fetch(h.url, { method: 'POST', body, headers: { 'content-type': 'text/xml', ...headers } });
      return { status: res.status, xml: await res.text() };
    };
    const auth = { authorization: `Basic ${Buffer.from(`v0:${PASSWORD}`).toString('base64')}` };
    const a = await post('<x/>', {});
    assert.equal(a.status, 401);
    emitted.push({ release: 'REL-6-MM7-1-4', xml: a.xml, label: 'auth fault' });
    const b = await post('<x/>', auth);
    assert.equal(b.status, 500);
    emitted.push({ release: 'REL-6-MM7-1-4', xml: b.xml, label: 'malformed fault' });
    const c = await post('<!DOCTYPE x><x/>', auth);
    emitted.push({ release: 'REL-6-MM7-1-4', xml: c.xml, label: 'doctype fault' });
  });

  it('xmllint --schema accepts every message emitted above', { skip: requireSystem('xmllint') }, async () => {
    assert.ok(emitted.length >= RELEASE_NAMES.length * 8, `only ${emitted.length} messages recorded`);
    const types = new Set(emitted.map((e) => /<(?:\w+:)?(\w+(?:Req|Rsp))[\s>]/.exec(e.xml.replace(/<[^>]*TransactionID[^>]*>/g, ''))?.[1]));
    for (const t of ['SubmitReq', 'SubmitRsp', 'CancelReq', 'CancelRsp', 'ReplaceReq', 'ReplaceRsp', 'DeliverReq', 'DeliverRsp', 'DeliveryReportReq', 'DeliveryReportRsp', 'ReadReplyReq', 'ReadReplyRsp', 'RSErrorRsp', 'extendedCancelRsp', 'extendedReplaceRsp']) {
      assert.ok(types.has(t), `no ${t} was emitted`);
    }
    assert.deepEqual(await validateEnvelopes(emitted), []);
  });
});
