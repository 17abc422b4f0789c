import assert from 'node:assert/strict';
import { get } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { decodePdu } from '@openmmsc/codec';
import mm11 from '@openmmsc/plugin-mm11';
import { waitFor } from '@openmmsc/testkit';
import sharp from 'sharp';
import { startStiGate, type StiGate } from '../../mm11/test/sti-gate.js';
import { octetOf, sendReqBytes, textOf } from './pdu-bytes.js';
import { postPdu, startRig, type Rig } from './helpers.js';
import { B, C, as } from './phones.js';

describe('MM1 with adaptation after the message is stored (a slow STI transcoder)', () => {
  let gate: StiGate;
  let rig: Rig;
  let photo: Buffer;

  before(async () => {
    gate = await startStiGate();
    rig = await startRig({
      bearer: 'direct',
      phones: [{ msisdn: B, mode: 'manual' }, { msisdn: C, mode: 'manual' }],
      mm1: { limits: { maxMessageSize: '20MB', maxBody: '20MB' } },
      extraPlugins: [{ plugin: mm11, options: { targets: { local: '100k' }, uaprof: { fetch: false }, sti: { client: { url: gate.url, timeoutMs: 60_000 } } } }],
      config: { limits: { maxMessageSize: '20MB' }, shutdown: { retrievalGrace: 0 } },
    });
    const small = await sharp({ create: { width: 300, height: 200, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png().toBuffer();
    photo = await sharp(small).resize(3000, 2000).jpeg({ quality: 95 }).toBuffer();
  });

  after(async () => {
    await rig?.stop();
    await gate?.stop();
  });

  it('m-send-conf and both notifications come before the transcoder answers; both fetches get the one variant', async () => {
    const cc = [0x97, ...Buffer.from(`${C}/TYPE=PLMN`), 0x00]; // a second To, as a handset writes it
    const conf = await postPdu(rig.url, sendReqBytes({ transactionId: 'after-store-1', to: B, text: 'the beach', jpeg: photo, extra: cc }));
    assert.equal(conf.status, 200);
    assert.equal(octetOf(conf.body, 0x92), 0x80, 'X-Mms-Response-Status: Ok');
    const messageId = textOf(conf.body, 0x8b)!;
    assert.ok(messageId, 'a Message-ID');
    await waitFor('the adaptation at the transcoder', () => gate.waiting === 1);
    const pushes = await waitFor('both notified', () => {
      const mine = rig.pushes.filter((p) => p.notification.messageId === messageId);
      return mine.length === 2 && mine;
    });
    assert.equal(await rig.t.mmsc.getVariant(messageId, '100k'), undefined, 'answered and notified before the variant exists');

    // Both handsets fetch while the transcoder still holds the one conversion.
    let answered = 0;
    // node:http, not fetch: a handset that says nothing about itself sends no Accept either.
    const fetchOne = (msisdn: string) =>
      new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
        get(pushes.find((p) => p.to.value === msisdn)!.notification.contentLocation!, { headers: as(msisdn) }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            answered++;
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
          });
        }).on('error', reject);
      });
    const fetches = [fetchOne(B), fetchOne(C)];
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(answered, 0, 'the fetches wait for the variant under way');
    gate.open();
    const [b, c] = await Promise.all(fetches);
    assert.equal(gate.requests, 1, 'one conversion for the class: two recipients, two concurrent fetches');
    const images = [b!, c!].map((r) => {
      assert.equal(r.status, 200);
      const pdu = decodePdu(r.body);
      const image = pdu.messageType === 'm-retrieve-conf' ? pdu.body?.parts.find((p) => p.contentType.type === 'image/jpeg') : undefined;
      assert.ok(image, 'an adapted picture');
      assert.ok(r.body.length <= 100 * 1024, `m-retrieve-conf is ${r.body.length} bytes`);
      return Buffer.from(image.data);
    });
    assert.deepEqual(images[0], images[1]);
    const meta = await sharp(images[0]!).metadata();
    assert.ok(meta.width! <= 640 && meta.height! <= 480, `${meta.width}×${meta.height}`);
  });
});
