import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor, suiteFixture } from '@openmmsc/testkit';
import { pipelineCounter, postPdu as post, startRig } from './helpers.js';
import { fakeJpeg, octetOf, sendReqBytes, textOf } from './pdu-bytes.js';
import { B } from './phones.js';

const RESPONSE_STATUS = 0x92;
const MESSAGE_ID = 0x8b;
const OK = 0x80;
const FORMAT_CORRUPT_PERMANENT = 0xe2;

/**
 * A POST over a raw socket that announces `declared` bytes and sends `sent`; with `hangUp` the
 * client then closes its side (FIN), as a handset losing coverage does.
 */
function rawPost(url: string, declared: number, sent: Buffer, hangUp: boolean): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => {
      socket.write(
        `POST /mms HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/vnd.wap.mms-message\r\n` +
          `X-WAP-Network-Client-MSISDN: +15550000001\r\nContent-Length: ${declared}\r\nConnection: close\r\n\r\n`,
      );
      if (hangUp) socket.end(sent);
      else socket.write(sent);
    });
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('MM1 ingress is strict about structure: truncated uploads are refused', () => {
  const counter = pipelineCounter();
  const rig = suiteFixture(() => startRig({ bearer: 'direct', phones: [{ msisdn: B, mode: 'manual' }], extraPlugins: [counter.plugin] }));

  it('the whole m-send-req is accepted (the bytes below are a valid PDU)', async () => {
    const whole = sendReqBytes({ transactionId: 'whole-1', to: B, text: 'see the photo', jpeg: fakeJpeg() });
    const res = await post(rig.url, whole);
    assert.equal(res.status, 200);
    assert.equal(res.type, 'application/vnd.wap.mms-message');
    assert.equal(octetOf(res.body, RESPONSE_STATUS), OK);
    const id = textOf(res.body, MESSAGE_ID)!;
    const stored = await rig.t.mmsc.getParts(id);
    assert.equal(stored?.[1]?.data.byteLength, 2060);
  });

  it('its first 300 bytes (cut inside a JPEG declared as 2,060 bytes) get Error-permanent-message-format-corrupt (0xE2); nothing stored or notified', async () => {
    const whole = sendReqBytes({ transactionId: 'cut-1', to: B, text: 'see the photo', jpeg: fakeJpeg(2060, 7) });
    const before = counter.received.length;
    // The messages accepted before this one are notified first (the sender is answered before its
    // notification goes out): a push counted afterwards is then one for this request.
    await waitFor('earlier messages notified', () => rig.pushes.length >= counter.received.length);
    const pushes = rig.pushes.length;
    const res = await post(rig.url, whole.subarray(0, 300));
    assert.equal(res.status, 400);
    assert.equal(res.type, 'application/vnd.wap.mms-message');
    assert.equal(res.body[0], 0x8c);
    assert.equal(res.body[1], 0x81, 'an m-send-conf');
    assert.equal(textOf(res.body, 0x98), 'cut-1', 'answering the request\'s transaction');
    assert.equal(octetOf(res.body, RESPONSE_STATUS), FORMAT_CORRUPT_PERMANENT);
    assert.equal(textOf(res.body, MESSAGE_ID), undefined);
    await sleep(200);
    assert.equal(counter.received.length, before, 'nothing reached the pipeline');
    assert.equal(rig.pushes.length, pushes, 'nobody was notified');
  });

  it('cut anywhere inside the body: always refused, never accepted', async () => {
    const whole = sendReqBytes({ transactionId: 'cut-2', to: B, text: 'see the photo', jpeg: fakeJpeg(2060, 9) });
    const before = counter.received.length;
    const headerEnd = whole.indexOf(Buffer.from([0x84, 0xa3])) + 2;
    for (const at of [headerEnd, headerEnd + 1, headerEnd + 2, headerEnd + 3, headerEnd + 8, headerEnd + 20, headerEnd + 26, 1000, whole.length - 1]) {
      const res = await post(rig.url, whole.subarray(0, at));
      assert.equal(octetOf(res.body, RESPONSE_STATUS), FORMAT_CORRUPT_PERMANENT, `cut at ${at}`);
    }
    assert.equal(counter.received.length, before);
  });

  it('a body shorter than its Content-Length (the handset hung up) is not processed', async () => {
    const whole = sendReqBytes({ transactionId: 'hangup-1', to: B, text: 'see the photo', jpeg: fakeJpeg(2060, 11) });
    const before = counter.received.length;
    const answer = await rawPost(rig.url, whole.length, whole.subarray(0, 1200), true);
    assert.doesNotMatch(answer, /^HTTP\/1\.1 200/, 'never answered Ok');
    await sleep(200);
    assert.equal(counter.received.length, before, 'nothing reached the pipeline');
    // The same exchange completed is accepted: the refusal was about the missing bytes.
    const full = await rawPost(rig.url, whole.length, whole, false);
    assert.match(full, /^HTTP\/1\.1 200/);
    await waitFor('the complete one submitted', () => counter.received.length === before + 1);
  });

  it('accepted deviations are logged and counted in openmmsc_mm1_decode_warnings_total', async () => {
    const odd = sendReqBytes({ transactionId: 'odd-1', to: B, text: 'type not first', jpeg: fakeJpeg(500, 3), typeNotFirst: true });
    const res = await post(rig.url, odd);
    assert.equal(octetOf(res.body, RESPONSE_STATUS), OK);
    const metrics = await (await fetch(`${rig.t.mmsc.adminUrl}/metrics`)).text();
    const line = metrics.split('\n').find((l) => l.startsWith('openmmsc_mm1_decode_warnings_total{type="m-send-req"}'));
    assert.ok(line, metrics.split('\n').filter((l) => l.includes('mm1')).join('\n'));
    assert.ok(Number(line.split(' ').at(-1)) >= 1);
  });
});
