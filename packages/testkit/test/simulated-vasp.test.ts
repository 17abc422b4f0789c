import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SimulatedVasp } from '../src/index.js';

const NS = 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4';

/** A DeliveryReportReq as an MMSC writes it (3GPP TS 23.140 REL-6-MM7-1-4 schema), by hand. */
function deliveryReport(transactionId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
  <env:Header><mm7:TransactionID xmlns:mm7="${NS}" env:mustUnderstand="1">${transactionId}</mm7:TransactionID></env:Header>
  <env:Body>
    <mm7:DeliveryReportReq xmlns:mm7="${NS}">
      <mm7:MM7Version>6.8.0</mm7:MM7Version>
      <mm7:MMSRelayServerID>openmmsc</mm7:MMSRelayServerID>
      <mm7:MessageID>msg-42</mm7:MessageID>
      <mm7:Recipient><mm7:Number>+15550000002</mm7:Number></mm7:Recipient>
      <mm7:Sender><mm7:ShortCode>12345</mm7:ShortCode></mm7:Sender>
      <mm7:Date>2026-01-02T03:04:05Z</mm7:Date>
      <mm7:MMStatus>Retrieved</mm7:MMStatus>
    </mm7:DeliveryReportReq>
  </env:Body>
</env:Envelope>`;
}

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: '""', ...headers }, body });

describe('SimulatedVasp: the content provider MM7 tests deliver to', () => {
  let vasp: SimulatedVasp;
  before(async () => {
    vasp = await SimulatedVasp.start();
  });
  after(() => vasp.stop());

  it('records a DeliveryReportReq and answers DeliveryReportRsp 1000 in the same release and transaction', async () => {
    const res = await post(vasp.url, deliveryReport('tx-1'));
    assert.equal(res.status, 200);
    const xml = await res.text();
    assert.match(xml, /<(\w+:)?TransactionID[^>]*>tx-1</);
    // The answer in the request's release: its namespace, under the default `mm7:` prefix.
    assert.ok(xml.includes(`xmlns:mm7="${NS}"`), 'the REL-6-MM7-1-4 namespace');
    assert.match(xml, /<mm7:DeliveryReportRsp>/);
    assert.match(xml, /<(\w+:)?StatusCode>1000</);
    const got = vasp.deliveryReports().at(-1)!;
    assert.equal(got.transactionId, 'tx-1');
    assert.equal(got.release.namespace, NS);
    assert.equal((got.body as { messageId?: string }).messageId, 'msg-42');
    assert.equal(vasp.answers.at(-1), xml);
  });

  it('fails the next requests on demand: HTTP 503 with a SOAP Fault carrying 4006', async () => {
    vasp.failNext(1);
    const failed = await post(vasp.url, deliveryReport('tx-2'));
    assert.equal(failed.status, 503);
    const xml = await failed.text();
    assert.match(xml, /<(\w+:)?Fault>/);
    assert.match(xml, /<(\w+:)?StatusCode>4006</);
    assert.equal((await post(vasp.url, deliveryReport('tx-3'))).status, 200, 'only the next one');
  });

  it('refuses what is not an MM7 request, with a fault, and records why', async () => {
    const res = await post(vasp.url, '<not-soap/>');
    assert.equal(res.status, 500);
    assert.match(await res.text(), /<(\w+:)?Fault>/);
    assert.ok(vasp.refused.length >= 1);
  });

  it('asks for credentials when it has a password', async () => {
    const guarded = await SimulatedVasp.start({ username: 'mmsc', password: 'pw' });
    try {
      assert.equal((await post(guarded.url, deliveryReport('tx-4'))).status, 401);
      const ok = await post(guarded.url, deliveryReport('tx-5'), { authorization: `Basic ${Buffer.from('mmsc:pw').toString('base64')}` });
      assert.equal(ok.status, 200);
      assert.deepEqual(guarded.refused.map((r) => r.reason), ['bad credentials']);
    } finally {
      await guarded.stop();
    }
  });
});
