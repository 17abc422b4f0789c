/**
 * The tshark helper on bytes built here octet by octet, on a real SMS capture from the conformance
 * corpus, and on a live loopback exchange read back with decode-as.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expectedFor, readCorpus } from '@openmmsc/conformance';
import { requireSystem } from '../src/system/index.js';
import { all, captureLoopback, dissect, dissectFields, readFields, type TsharkNode } from '../src/tshark/index.js';

const h = (hex: string): Buffer => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
const t = (s: string): Buffer => Buffer.from(`${s}\0`, 'latin1');

/** m-notification-ind: type, Transaction-ID, version 1.2, class personal, size 3000, relative expiry, Content-Location. */
const notification = (tid: string): Buffer =>
  Buffer.concat([h('8c 82 98'), t(tid), h('8d 92 8a 80 8e 02 0b b8 88 05 81 03 09 3a 80 83'), t(`http://mmsc.example/${tid}`)]);

/** Connectionless WSP Push: TID 0x21, Push, 3 octets of headers (application/vnd.wap.mms-message, X-Wap-Application-Id mms.ua). */
const push = (body: Buffer): Buffer => Buffer.concat([h('21 06 03 be af 84'), body]);

const mmse = (layers: TsharkNode | undefined, field: string): string[] => (layers ? all(layers, field) : []);

describe('the tshark helper', { skip: requireSystem('tshark') }, () => {
  it('hands raw MMS PDUs to the MMSE dissector, one frame each', () => {
    const frames = dissect('mmse', [notification('T-one'), notification('T-two')]);
    assert.equal(frames.length, 2);
    assert.deepEqual(mmse(frames[0], 'mmse.message_type'), ['0x82']);
    assert.deepEqual(frames.map((f) => mmse(f, 'mmse.transaction_id')[0]), ['T-one', 'T-two']);
    assert.deepEqual(mmse(frames[1], 'mmse.content_location'), ['http://mmsc.example/T-two']);
  });

  it('sends a PDU larger than a pcap record through HTTP, reassembled', () => {
    const data = Buffer.alloc(300_000, 0x41);
    const headers = t('application/octet-stream');
    // m-retrieve-conf, multipart.mixed with one entry: HeadersLen 25, DataLen 300000 (uintvar 92 a7 60).
    const big = Buffer.concat([h('8c 84 98'), t('T-big'), h('8d 92 84 a3 01'), Buffer.from([headers.length]), h('92 a7 60'), headers, data]);
    const [frame] = dissect('mmse', [big]);
    assert.deepEqual(mmse(frame, 'mmse.message_type'), ['0x84']);
    assert.deepEqual(mmse(frame, 'mmse.transaction_id'), ['T-big']);
  });

  it('dissectFields gives the asked fields of each frame, in input order', () => {
    const rows = dissectFields('mmse', [notification('T-a'), notification('T-b')], ['mmse.transaction_id', 'mmse.message_size']);
    assert.deepEqual(rows, [
      { 'frame.number': ['1'], 'mmse.transaction_id': ['T-a'], 'mmse.message_size': ['3000'] },
      { 'frame.number': ['2'], 'mmse.transaction_id': ['T-b'], 'mmse.message_size': ['3000'] },
    ]);
  });

  it('reads a WSP push, by dissector name and through UDP port 2948, down to MMSE', () => {
    for (const mode of ['push', 'udp2948'] as const) {
      const [frame] = dissect(mode, [push(notification('T-push'))]);
      assert.deepEqual(mmse(frame, 'wsp.TID'), ['0x21'], mode);
      assert.deepEqual(mmse(frame, 'wsp.header.x_wap_application_id'), ['x-wap-application:mms.ua'], mode);
      assert.deepEqual(mmse(frame, 'mmse.transaction_id'), ['T-push'], mode);
    }
  });

  it('reassembles a real two-segment WAP Push SMS with SMSC addresses (python-messaging capture)', () => {
    const file = 'python-messaging/wap-push/sms-deliver-mms-notification-1.pdus.hex';
    const segments = readCorpus(file).toString('latin1').split(/\s+/).filter(Boolean).map((line) => h(line));
    const want = expectedFor<{ asserted: { mms_headers: Record<string, string> } }>(file)!.asserted.mms_headers;
    const frames = dissect('sms-sca', segments);
    assert.equal(frames.length, 2);
    assert.deepEqual(mmse(frames[0], 'gsm_sms.udh.mm.msg_part'), ['1']);
    assert.deepEqual(mmse(frames[1], 'mmse.transaction_id'), [want['Transaction-Id']]);
    assert.deepEqual(mmse(frames[1], 'mmse.content_location'), [want['Content-Location']]);
  });

  it('captures a loopback exchange and reads it back decoded as SMTP on its random port', async () => {
    const server = createServer((socket) => {
      socket.write('220 test ESMTP\r\n');
      socket.on('data', () => socket.end('221 bye\r\n'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const dir = await mkdtemp(join(tmpdir(), 'testkit-capture-'));
    try {
      const capture = await captureLoopback(port, join(dir, 'smtp.pcapng'));
      await new Promise<void>((resolve, reject) => {
        const client = createConnection(port, '127.0.0.1');
        client.once('data', () => client.write('EHLO client.example\r\n'));
        client.on('close', () => resolve()).on('error', reject);
      });
      await capture.stop();
      const rows = readFields(capture.file, ['smtp.req.command', 'smtp.req.parameter'], { decodeAs: { smtp: port }, filter: 'smtp.req' });
      assert.deepEqual(rows, [{ 'smtp.req.command': ['EHLO'], 'smtp.req.parameter': ['client.example'] }]);
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
