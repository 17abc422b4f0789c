import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { decodePdu } from '@openmmsc/codec';
import mm11 from '@openmmsc/plugin-mm11';
import { buildMessage, waitFor } from '@openmmsc/testkit';
import sharp from 'sharp';
import { startRig, type Rig } from './helpers.js';

const rdf = readFileSync(new URL('../../mm11/test/fixtures/uaprof-handset.rdf', import.meta.url));

describe('adaptation at retrieval: the handset\'s UAProf decides', () => {
  let profiles: Server;
  let profileUrl: string;
  let rig: Rig;

  before(async () => {
    profiles = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rdf+xml' });
      res.end(rdf);
    });
    await new Promise<void>((r) => profiles.listen(0, '127.0.0.1', r));
    const a = profiles.address();
    profileUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/handset.rdf`;
    rig = await startRig({ bearer: 'direct', phones: [{ msisdn: '+15550000002', mode: 'defer' }], extraPlugins: [mm11], config: { limits: { maxMessageSize: '20MB' } } });
  });

  after(async () => {
    await rig?.stop();
    await new Promise((r) => profiles.close(r));
  });

  let png: Buffer;
  const photo = async () => (png ??= await sharp({ create: { width: 2400, height: 1800, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png().toBuffer());

  it('a 2400×1800 PNG is fetched as a JPEG within the profile\'s 640×480 and 300 KB', async () => {
    const png = await photo();
    const sent = await rig.t.mmsc.submit({
      message: buildMessage({ to: '+15550000002', text: 'look', parts: [{ contentType: { type: 'image/png', params: {} }, contentLocation: 'photo.png', data: png }] }),
      origin: { interface: 'api' },
    });
    assert.equal(sent.status, 'accepted');
    const push = await waitFor('notification', () => rig.pushes.find((p) => p.notification.messageId === sent.messageId));
    const url = push.notification.contentLocation!;
    const res = await fetch(url, { headers: { 'x-wap-profile': `"${profileUrl}"`, 'x-wap-network-client-msisdn': '+15550000002' } });
    assert.equal(res.status, 200, `${url}: ${JSON.stringify(decodePdu(Buffer.from(await res.clone().arrayBuffer())))}`);
    const body = Buffer.from(await res.arrayBuffer());
    assert.ok(body.length < 300 * 1024, `retrieve-conf is ${body.length} bytes`);
    const pdu = decodePdu(body);
    assert.equal(pdu.messageType, 'm-retrieve-conf');
    const image = pdu.messageType === 'm-retrieve-conf' ? pdu.body?.parts.find((p) => p.contentType.type.startsWith('image/')) : undefined;
    assert.ok(image, 'an image part');
    assert.equal(image.contentType.type, 'image/jpeg');
    const meta = await sharp(Buffer.from(image.data)).metadata();
    assert.ok(meta.width! <= 640 && meta.height! <= 480, `${meta.width}×${meta.height}`);
  });

  it('a handset that tells nothing (no UAProf, Profile or Accept) gets uaprof.defaultClass, not the original', async () => {
    const original = await photo();
    assert.ok(original.length > 5 * 1024 * 1024, `the original is ${original.length} bytes`);
    const sent = await rig.t.mmsc.submit({
      message: buildMessage({ to: '+15550000002', text: 'silent handset', parts: [{ contentType: { type: 'image/png', params: {} }, contentLocation: 'big.png', data: original }] }),
      origin: { interface: 'api' },
    });
    assert.equal(sent.status, 'accepted');
    const push = await waitFor('notification', () => rig.pushes.find((p) => p.notification.messageId === sent.messageId));
    // Only what a WAP gateway adds: the subscriber's number.
    const res = await fetch(push.notification.contentLocation!, { headers: { 'x-wap-network-client-msisdn': '+15550000002' } });
    assert.equal(res.status, 200);
    const body = Buffer.from(await res.arrayBuffer());
    assert.ok(body.length <= 300 * 1024, `retrieve-conf is ${body.length} bytes; the default class 300k allows 300 KB`);
    const pdu = decodePdu(body);
    const image = pdu.messageType === 'm-retrieve-conf' ? pdu.body?.parts?.find((p) => p.contentType.type.startsWith('image/')) : undefined;
    assert.ok(image, 'the picture is still there, adapted');
    assert.equal(image.contentType.type, 'image/jpeg');
  });
});
