import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { decodePdu } from '@openmmsc/codec';
import { buildMessage, fastNotifyRetries, localSubscribers, notificationBuilder, pushBearerProbe, startTestMmsc, type TestMmsc, waitFor } from '@openmmsc/testkit';
import pushPap, { classifyPapCode, parsePushResponse, parseResultNotification, pushMessageXml } from '../src/index.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A PAP server that records requests and answers from a script (default: 1001 accepted). */
class FakePpg {
  readonly requests: Received[] = [];
  readonly answers: Array<{ status: number; body: string }> = [];
  private server: Server | undefined;
  url = '';

  static response(code: number, desc = 'x', pushId = 'p'): string {
    return `<?xml version="1.0"?><!DOCTYPE pap PUBLIC "-//WAPFORUM//DTD PAP 2.0//EN" "http://www.wapforum.org/DTD/pap_2.0.dtd"><pap><push-response push-id="${pushId}"><response-result code ="${code}" desc="${desc}"></response-result></push-response></pap>`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ headers: req.headers, body: Buffer.concat(chunks) });
        const a = this.answers.shift() ?? { status: 202, body: FakePpg.response(1001, 'The request has been accepted for processing') };
        res.writeHead(a.status, { 'content-type': 'application/xml' }).end(a.body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/wappush`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** Splits a multipart body into its parts' headers and bodies. */
function multipart(contentType: string, body: Buffer): Array<{ headers: Record<string, string>; body: Buffer }> {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)![1]!;
  const sep = Buffer.from(`--${boundary}`);
  const parts: Array<{ headers: Record<string, string>; body: Buffer }> = [];
  let at = body.indexOf(sep);
  for (;;) {
    const start = at + sep.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(sep, start);
    const raw = body.subarray(start + 2, next - 2); // skip CRLF after the boundary and before the next
    const split = raw.indexOf('\r\n\r\n');
    const headers: Record<string, string> = {};
    for (const line of raw.subarray(0, split).toString('latin1').split('\r\n')) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
    }
    parts.push({ headers, body: raw.subarray(split + 4) });
    at = next;
  }
  return parts;
}

async function recipient(t: TestMmsc, id: string) {
  return (await t.mmsc.getRecipients(id))[0];
}

describe('push-pap against a scripted PPG', () => {
  let ppg: FakePpg;
  before(async () => {
    ppg = new FakePpg();
    await ppg.start();
  });
  after(async () => {
    await ppg.stop();
  });

  async function mmsc(options: Record<string, unknown> = {}) {
    const probe = pushBearerProbe();
    const t = await startTestMmsc({
      plugins: [localSubscribers(), notificationBuilder(), { plugin: pushPap, options: { url: ppg.url, ...options } }, probe.plugin],
      config: fastNotifyRetries,
    });
    return { t, bearer: probe.bearer };
  }

  async function send(t: TestMmsc, to = '+15550000002') {
    const r = await t.mmsc.submit({ message: buildMessage({ to }), origin: { interface: 'api' } });
    assert.equal(r.status, 'accepted');
    return r.messageId;
  }

  it('posts a PAP 2.0 push-message (multipart/related) with the m-notification-ind as content', async () => {
    const { t } = await mmsc({ username: 'mmsc', password: 's3cret', ppgDomain: 'ppg.operator.com', bearer: 'SMS' });
    try {
      const before = ppg.requests.length;
      const id = await send(t);
      const r = await waitFor('notified', async () => ((await recipient(t, id))?.state === 'notified' ? recipient(t, id) : undefined));
      const req = ppg.requests[before]!;
      assert.equal(req.headers.authorization, `Basic ${Buffer.from('mmsc:s3cret').toString('base64')}`);
      assert.match(req.headers['content-type']!, /^multipart\/related; boundary=[^;]+; type="application\/xml"$/);
      const [control, content] = multipart(req.headers['content-type']!, req.body);
      assert.equal(control!.headers['content-type'], 'application/xml');
      const xml = control!.body.toString();
      assert.match(xml, /<!DOCTYPE pap PUBLIC "-\/\/WAPFORUM\/\/DTD PAP 2\.0\/\/EN"/);
      const pushId = /push-id="([^"]+)"/.exec(xml)![1]!;
      assert.equal(r!.attributes.pushReference, pushId);
      assert.match(xml, /<address address-value="WAPPUSH=\+15550000002\/TYPE=PLMN@ppg\.operator\.com"\/>/);
      assert.match(xml, /<quality-of-service delivery-method="unconfirmed" bearer="SMS"\/>/);
      assert.match(xml, /deliver-before-timestamp="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/);
      assert.equal(content!.headers['content-type'], 'application/vnd.wap.mms-message');
      assert.equal(content!.headers['x-wap-application-id'], 'x-wap-application:mms.ua');
      const pdu = decodePdu(content!.body) as { messageType: string; transactionId?: string; contentLocation?: string };
      assert.equal(pdu.messageType, 'm-notification-ind');
      assert.equal(pdu.transactionId, `T${id}`);
      assert.equal(pdu.contentLocation, `http://mmsc.test/m/${id}`);
    } finally {
      await t.stop();
    }
  });

  it('maps PAP codes: 3xxx/4xxx retry, 2xxx fail with the code, badmessage-response fails', async () => {
    const { t, bearer } = await mmsc();
    try {
      ppg.answers.push({ status: 200, body: FakePpg.response(4001, 'Service unavailable') }, { status: 200, body: FakePpg.response(3000) });
      const id = await send(t, '+15550000003');
      await waitFor('notified after two retries', async () => (await recipient(t, id))?.state === 'notified');
      const metric = await t.mmsc.registry.getSingleMetricAsString('openmmsc_pap_pushes_total');
      assert.match(metric, /result="retry"\} 2/);

      ppg.answers.push({ status: 200, body: FakePpg.response(2002, 'Address error') });
      const id2 = await send(t, '+15550000004');
      const rej = await waitFor('rejected', async () => {
        const x = await recipient(t, id2);
        return x?.state === 'rejected' ? x : undefined;
      });
      assert.match(rej.history.at(-1)!.reason!, /refused the push: PAP 2002 Address error/);

      const signal = new AbortController().signal;
      const n = { messageId: 'm1', recipient: t.mmsc.parseAddress('+15550000005'), size: 1, expiry: new Date(Date.now() + 60_000), kind: 'message' as const };
      const pdu = new Uint8Array([0x8c, 0x82, 0x98, 0x41, 0x00, 0x8d, 0x93]);
      ppg.answers.push({ status: 400, body: '<?xml version="1.0"?><pap><badmessage-response code="2000" desc="Bad request" bad-message-fragment="x"/></pap>' });
      assert.deepEqual(await bearer().push({ to: n.recipient, notification: n, pdu }, signal), {
        status: 'failed',
        reason: `PPG ${new URL(ppg.url).host} refused the push: PAP 2000 Bad request`,
      });
      ppg.answers.push({ status: 401, body: 'unauthorized' });
      const r401 = await bearer().push({ to: n.recipient, notification: n, pdu }, signal);
      assert.equal(r401.status, 'retry');
      assert.match(r401.status === 'retry' ? r401.reason : '', /refused our credentials \(HTTP 401\)/);
      ppg.answers.push({ status: 200, body: '<?xml version="1.0"?><!DOCTYPE pap [<!ENTITY x "boom">]><pap/>' });
      const rDtd = await bearer().push({ to: n.recipient, notification: n, pdu }, signal);
      assert.equal(rDtd.status, 'retry');
      assert.match(rDtd.status === 'retry' ? rDtd.reason : '', /internal DTD subset refused/);
      // A raw MMS PDU (not wrapped in WSP) is carried as is.
      const raw = ppg.requests.at(-1)!;
      assert.deepEqual([...multipart(raw.headers['content-type']!, raw.body)[1]!.body], [...pdu]);
    } finally {
      await t.stop();
    }
  });

  it('answers text and non-pushable addresses with failed, PPG down with retry', async () => {
    const { t, bearer } = await mmsc({ timeoutMs: 500 });
    try {
      const signal = new AbortController().signal;
      const to = t.mmsc.parseAddress('+15550000006');
      const n = { messageId: 'm1', recipient: to, size: 1, expiry: new Date(Date.now() + 60_000), kind: 'message' as const };
      assert.deepEqual(await bearer().push({ to, notification: n, text: 'hi' }, signal), { status: 'failed', reason: 'the PAP bearer cannot send text SMS' });
      const mail = t.mmsc.parseAddress('a@example.com');
      const r = await bearer().push({ to: mail, notification: { ...n, recipient: mail }, pdu: new Uint8Array([0x8c, 0x82]) }, signal);
      assert.deepEqual(r, { status: 'failed', reason: 'a PPG cannot push to email address a@example.com' });
    } finally {
      await t.stop();
    }
    const dead = await startTestMmsc({
      plugins: [localSubscribers(), notificationBuilder(), { plugin: pushPap, options: { url: 'http://127.0.0.1:1/wappush' } }],
      config: { jobs: { notify: { backoffBase: 50, backoffMax: 100, maxAttempts: 2, jitter: 0 } } },
    });
    try {
      const id = await send(dead);
      await waitFor('retried', async () => /result="retry"\} [1-9]/.test(await dead.mmsc.registry.getSingleMetricAsString('openmmsc_pap_pushes_total')));
      assert.notEqual((await recipient(dead, id))?.state, 'notified');
    } finally {
      await dead.stop();
    }
  });

  it('asks for and records result notifications', async () => {
    const { t } = await mmsc({ resultNotification: { enabled: true } });
    try {
      const before = ppg.requests.length;
      const id = await send(t, '+15550000007');
      await waitFor('notified', async () => (await recipient(t, id))?.state === 'notified');
      const xml = multipart(ppg.requests[before]!.headers['content-type']!, ppg.requests[before]!.body)[0]!.body.toString();
      const pushId = /push-id="([^"]+)"/.exec(xml)![1]!;
      const notifyTo = /ppg-notify-requested-to="([^"]+)"/.exec(xml)![1]!;
      assert.match(notifyTo, /^http:\/\/127\.0\.0\.1:\d+\/pap\/result-notification$/);
      const res = await fetch(notifyTo, {
        method: 'POST',
        headers: { 'content-type': 'application/xml' },
        body:
          '<?xml version="1.0"?><!DOCTYPE pap PUBLIC "-//WAPFORUM//DTD PAP 2.0//EN" "http://www.wapforum.org/DTD/pap_2.0.dtd">' +
          `<pap><resultnotification-message push-id="${pushId}" message-state="delivered" code="1000" event-time="2025-01-01T00:00:00Z">` +
          '<address address-value="WAPPUSH=+15550000007/TYPE=PLMN@127.0.0.1"/></resultnotification-message></pap>',
      });
      assert.equal(res.status, 200);
      const answer = await res.text();
      assert.match(answer, new RegExp(`<resultnotification-response push-id="${pushId.replace(/\./g, '\\.')}"><address address-value="WAPPUSH=\\+15550000007/TYPE=PLMN@127\\.0\\.0\\.1"/><response-result code="1000" desc="OK"/>`));
      const r = await waitFor('result on the recipient', async () => {
        const x = await recipient(t, id);
        return x?.attributes.pushResult ? x : undefined;
      });
      assert.equal(r.attributes.pushResult, 'delivered');
      assert.equal(r.attributes.pushResultCode, 1000);
      assert.match(await t.mmsc.registry.getSingleMetricAsString('openmmsc_pap_result_notifications_total'), /state="delivered"\} 1/);
      const bad = await fetch(notifyTo, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<pap><nonsense/></pap>' });
      assert.equal(bad.status, 400);
    } finally {
      await t.stop();
    }
  });

  it('refuses result notifications from addresses not allowed', async () => {
    const { t } = await mmsc({ resultNotification: { enabled: true, allowFrom: ['192.0.2.1'] } });
    try {
      const id = await send(t, '+15550000008');
      await waitFor('notified', async () => (await recipient(t, id))?.state === 'notified');
      const xml = multipart(ppg.requests.at(-1)!.headers['content-type']!, ppg.requests.at(-1)!.body)[0]!.body.toString();
      const notifyTo = /ppg-notify-requested-to="([^"]+)"/.exec(xml)![1]!;
      assert.equal((await fetch(notifyTo, { method: 'POST', body: '<pap/>' })).status, 403);
    } finally {
      await t.stop();
    }
  });
});

describe('push-pap units', () => {
  it('classifies PAP codes and parses responses', () => {
    const classes = { 1000: 'accepted', 1001: 'accepted', 2007: 'failed', 3011: 'retry', 4000: 'retry', 5000: 'failed' };
    for (const [code, expected] of Object.entries(classes)) assert.equal(classifyPapCode(Number(code)), expected, `PAP code ${code}`);
    const kannel =
      '<?xml version="1.0"?><!DOCTYPE pap PUBLIC "-//WAPFORUM//DTD PAP 1.0//EN" "http://www.wapforum.org/DTD/pap_1.0.dtd"><pap><push-response push-id="p1@openmmsc" sender-name="vm; WAP/1.3 (Kannel/1.4.5)" reply-time="2026-11-22T05:06:30Z" sender-address="/wappush"><response-result code ="1001" desc="The request has been accepted for processing"></response-result></push-response></pap>';
    assert.deepEqual(parsePushResponse(kannel), {
      kind: 'push-response',
      code: 1001,
      desc: 'The request has been accepted for processing',
      pushId: 'p1@openmmsc',
      senderName: 'vm; WAP/1.3 (Kannel/1.4.5)',
      replyTime: '2026-11-22T05:06:30Z',
    });
    assert.throws(() => parsePushResponse('<html>oops</html>'), /no <pap> element/);
    assert.throws(() => parsePushResponse('x'.repeat(70_000)), /larger than 64 KB/);
    assert.deepEqual(
      parseResultNotification('<pap><resultnotification-message push-id="a&amp;b" message-state="undeliverable" code="2002" desc="Address error"><address address-value="WAPPUSH=1/TYPE=PLMN@x"/></resultnotification-message></pap>'),
      { pushId: 'a&b', code: 2002, desc: 'Address error', messageState: 'undeliverable', address: 'WAPPUSH=1/TYPE=PLMN@x' },
    );
  });

  it('escapes attribute values in the control entity', () => {
    const xml = pushMessageXml({ pushId: 'a"<b>&', address: 'WAPPUSH=+1/TYPE=PLMN@x', deliveryMethod: 'confirmed', notifyTo: 'http://h/p?a=1&b=2' });
    assert.match(xml, /push-id="a&quot;&lt;b&gt;&amp;"/);
    assert.match(xml, /ppg-notify-requested-to="http:\/\/h\/p\?a=1&amp;b=2"/);
    assert.match(xml, /<quality-of-service delivery-method="confirmed"\/>/);
  });
});
