import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import {
  buildStiRequest,
  buildStiResponse,
  ClassTable,
  DEFAULT_CLASSES,
  extractStiElement,
  parseStiRequest,
  parseStiResponse,
  StiClient,
  StiCode,
  stiBackend,
  startTestStiServer,
  type StiServer,
  adaptParts,
  type AdaptSettings,
  type StiRequest,
} from './sti-helpers.js';
import { requireSystem } from '@openmmsc/testkit/system';
import { photoAs, photoPng, tools, validateSti } from './helpers.js';

const settings: AdaptSettings = { headerOverhead: 1024, minImageBytes: 3000, jpegQuality: { max: 85, min: 40 }, overlongMedia: 'trim' };
const table = new ClassTable({ classes: DEFAULT_CLASSES, targets: {}, peers: [] });

const sample: StiRequest = {
  originatorId: 'mmsc-a',
  operationId: 'op-1',
  applicationType: 'MMS',
  applicationSizeLimit: 307200,
  adaptationClasses: [{ className: '300k', allowed: true }],
  jobs: [
    {
      jobId: 'j1',
      source: { contentType: 'image/png', location: 'cid:src-1@x', params: [{ name: 'name', value: 'photo & "friends".png' }] },
      target: { params: { media: { kind: 'image', contentType: 'image/jpeg', width: 640, height: 480, sizeLimit: 50_000 }, sizeLimit: 60_000, extension: [{ name: 'accept', value: 'image/jpeg,image/gif' }] } },
    },
    {
      jobId: 'j2',
      source: { contentType: 'video/mp4', location: 'cid:src-2@x' },
      target: { params: { media: { kind: 'video', codec: 'h263', width: 176, height: 144, audioCodec: 'amr', extension: [{ name: 'maxDurationSeconds', value: '15' }] } } },
    },
    { jobId: 'j3', source: { contentType: 'audio/wav', location: 'http://media.example/a.wav' }, target: { params: { media: { kind: 'audio', codec: 'amr', bitRate: 12200, samplingRate: 8000, channels: 'mono' } } } },
  ],
};

describe('OMA STI 1.0', () => {
  it('requests and responses we write validate against the STI schema and read back', { skip: requireSystem('xmllint') }, () => {
    const xml = buildStiRequest(sample);
    validateSti(xml);
    assert.deepEqual(parseStiRequest(xml), sample);
    const response = {
      originatorId: 'mmsc-a',
      operationId: 'op-1',
      code: StiCode.partialSuccess,
      message: '1 of 2 jobs failed',
      totalDurationMs: 120,
      results: [
        { jobId: 'j1', code: 2000, message: 'ok', adaptations: ['FormatConversion', 'Resize'], durationMs: 80, output: { contentType: 'image/jpeg', location: 'cid:result-j1', mediaSize: 41234 } },
        { jobId: 'j2', code: 4003, message: 'too long' },
      ],
    };
    const rx = buildStiResponse(response);
    validateSti(rx);
    assert.deepEqual(parseStiResponse(rx), response);
  });

  it('the schema check does catch a bad document', { skip: requireSystem('xmllint') }, () => {
    assert.throws(() => validateSti(buildStiRequest(sample).replace('<operationID>op-1</operationID>', '')), /schema validation failed/);
  });

  it('refuses DTDs, and reports missing elements', () => {
    assert.throws(() => parseStiRequest('<!DOCTYPE x [<!ENTITY e "x">]><TranscodingRequest/>'), /refused/);
    assert.throws(() => parseStiRequest(`<TranscodingRequest xmlns="http://www.openmobilealliance.org/schema/sti/v1_0"><originatorID>a</originatorID></TranscodingRequest>`), /operationID/);
  });

  describe('round trip: our client → our server', { skip: requireSystem('xmllint') }, () => {
    const exchanges: Array<[string, string]> = [];
    let server: StiServer;
    let url = '';
    before(async () => {
      ({ server, url } = await startTestStiServer(await tools(), { onExchange: (a, b) => exchanges.push([a, b]) }));
    });
    after(() => server.stop());

    it('transcodes attached media and answers with attached outputs; both documents are schema-valid', async () => {
      const clientSide: Array<[string, string]> = [];
      const client = new StiClient({ url, originatorId: 'peer-mmsc', timeoutMs: 30_000, onExchange: (a, b) => clientSide.push([a, b]) });
      const png = await photoPng(2400, 1800);
      const webp = await photoAs('webp', 400, 300);
      const ex = await client.send(
        {
          jobs: [
            { jobId: 'photo', source: { contentType: 'image/png', location: 'cid:p1' }, target: { params: { media: { kind: 'image', contentType: 'image/jpeg', width: 640, height: 480 }, sizeLimit: 60_000 } } },
            { jobId: 'sticker', source: { contentType: 'image/webp', location: 'cid:p2' }, adaptationClasses: [{ className: '100k' }] },
            { jobId: 'gone', source: { contentType: 'image/png', location: 'cid:nothing' } },
            { jobId: 'remote', source: { contentType: 'image/png', location: 'http://127.0.0.1:9/x.png' } },
          ],
        },
        new Map([
          ['p1', { contentType: 'image/png', data: png }],
          ['p2', { contentType: 'image/webp', data: webp }],
        ]),
      );
      assert.equal(ex.response.code, StiCode.partialSuccess);
      const [photo, sticker, gone, remote] = ex.response.results;
      assert.equal(photo!.code, 2000);
      assert.equal(photo!.output!.contentType, 'image/jpeg');
      const out = await client.output(ex, photo!.output!.location);
      assert.ok(out.byteLength <= 60_000);
      assert.equal(photo!.output!.mediaSize, out.byteLength);
      const meta = await sharp(out).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 640, 480]);
      assert.ok(photo!.adaptations!.includes('FormatConversion'));
      assert.equal(sticker!.code, 2000);
      assert.equal(sticker!.output!.contentType, 'image/jpeg', 'the 100k class takes no WebP');
      assert.equal(gone!.code, StiCode.sourceNotFound);
      assert.equal(remote!.code, StiCode.sourceNotFound);
      assert.match(remote!.message!, /remote sources/);
      // Both sides' documents against the schema.
      assert.equal(clientSide.length, 1);
      const [reqXml, resXml] = clientSide[0]!;
      validateSti(reqXml);
      validateSti(resXml);
      const serverSide = exchanges.at(-1)!;
      validateSti(extractStiElement(serverSide[0], 'TranscodingRequest')!);
      validateSti(serverSide[1]);
    });

    it('answers a malformed request with 4000 in a valid response', async () => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<TranscodingRequest><broken' });
      assert.equal(res.status, 400);
      const xml = await res.text();
      const r = parseStiResponse(xml);
      assert.equal(r.code, StiCode.badRequest);
      validateSti(extractStiElement(xml, 'TranscodingResponse')!);
    });

    it('serves as the media backend of an MMS adaptation (STI client mode)', async () => {
      const client = new StiClient({ url, originatorId: 'openmmsc', timeoutMs: 30_000 });
      const parts = [
        { contentType: { type: 'image/png', params: {} }, contentLocation: 'big.png', data: await photoPng(3000, 2000) },
        { contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, data: Buffer.from('hello') },
      ];
      const r = await adaptParts({ messageId: 'S1', parts, caps: table.byName('100k')! }, stiBackend(client), settings);
      assert.equal(r.parts[0]!.contentType.type, 'image/jpeg');
      assert.equal(r.parts[0]!.contentLocation, 'big.jpg');
      assert.ok(r.size <= 100 * 1024);
      const meta = await sharp(r.parts[0]!.data).metadata();
      assert.ok(meta.width! <= 640 && meta.height! <= 480);
      assert.ok(r.notes.some((n) => n.includes('via STI')));
    });
  });
});
