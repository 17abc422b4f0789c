import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseStiResponse, startTestStiServer, type StiServer } from './sti-helpers.js';
import { requireSystem } from '@openmmsc/testkit/system';
import { ffmpegMake, requireFfmpeg, validateSti } from './helpers.js';
import { assertWatchable, videoFacts } from './video-oracles.js';

const NS = 'http://www.openmobilealliance.org/schema/sti/v1_0';

/** A job as another platform would write it by hand. */
const job = (id: string, type: string, cid: string, target: string, classes = ''): string =>
  `<transcodingJob><jobID>${id}</jobID><source><contentType>${type}</contentType><location>cid:${cid}</location></source><target><transcodingParams>${target}</transcodingParams></target>${classes}</transcodingJob>`;

/** multipart/related with the SOAP envelope first and the media after, as a peer sends it. */
function requestBody(jobs: string, media: Array<{ cid: string; type: string; data: Buffer }>): { body: Buffer; type: string; xml: string } {
  const boundary = 'peer-boundary-7f3a';
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<TranscodingRequest xmlns="${NS}"><originatorID>peer-platform</originatorID><operationID>op-media-1</operationID>${jobs}</TranscodingRequest>\n`;
  const envelope = `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${xml.replace(/^<\?xml[^>]*\?>\s*/, '')}</soap:Body></soap:Envelope>`;
  const chunks: Buffer[] = [Buffer.from(`--${boundary}\r\nContent-Type: text/xml; charset=utf-8\r\nContent-ID: <req@peer>\r\n\r\n${envelope}\r\n`)];
  for (const m of media) chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: ${m.type}\r\nContent-ID: <${m.cid}>\r\nContent-Transfer-Encoding: binary\r\n\r\n`), m.data, Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/related; type="text/xml"; start="<req@peer>"; boundary="${boundary}"`, xml };
}

/** Splits the response by its boundary without the plugin's own parser: root XML and attachments by Content-ID. */
function splitResponse(type: string, body: Buffer): { xml: string; parts: Map<string, { type: string; data: Buffer }> } {
  const boundary = /boundary="?([^";]+)"?/.exec(type)?.[1];
  assert.ok(boundary, `multipart response expected, got ${type}`);
  const parts = new Map<string, { type: string; data: Buffer }>();
  let xml = '';
  const delim = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delim);
  while (at >= 0) {
    const start = at + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delim, start);
    const chunk = body.subarray(start + 2, next - 2);
    const split = chunk.indexOf('\r\n\r\n');
    const head = chunk.subarray(0, split).toString('latin1');
    const data = chunk.subarray(split + 4);
    const cid = /content-id:\s*<([^>]+)>/i.exec(head)?.[1] ?? '';
    const ct = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? '';
    if (cid === 'sti-response') xml = data.toString('utf8');
    else parts.set(cid, { type: ct, data });
    at = next;
  }
  return { xml, parts };
}

describe('STI server: video and animations', { skip: requireSystem('ffmpeg', 'xmllint') }, () => {
  let server: StiServer;
  let url = '';
  let hd: Buffer;
  let gif: Buffer;
  before(async () => {
    ({ server, url } = await startTestStiServer(await requireFfmpeg()));
    hd = ffmpegMake(['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25:duration=10', '-f', 'lavfi', '-i', 'sine=duration=10', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '26', '-c:a', 'aac', '-shortest'], 'mp4');
    // 12 frames of 40 ms, made by ffmpeg's GIF encoder.
    gif = ffmpegMake(['-f', 'lavfi', '-i', 'testsrc2=size=200x150:rate=25:duration=0.48', '-f', 'gif'], 'gif');
  });
  after(() => server.stop());

  it('a 720p clip for a 45 KB limit, no frame size given: small frame, matching level, a real picture; video limits honoured', async () => {
    const jobs =
      job('small', 'video/mp4', 'hd@peer', '<video><contentType>video/3gpp</contentType></video><sizeLimit>45000</sizeLimit>') +
      job('limited', 'video/mp4', 'hd@peer', '<video><videoVisual><codec>h264</codec><bitRate>64000</bitRate><frameRate>10</frameRate><width>320</width><height>240</height></videoVisual></video><sizeLimit>200000</sizeLimit>');
    const req = requestBody(jobs, [{ cid: 'hd@peer', type: 'video/mp4', data: hd }]);
    validateSti(req.xml);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': req.type, soapaction: '""' }, body: req.body });
    assert.equal(res.status, 200);
    const { xml, parts } = splitResponse(res.headers.get('content-type') ?? '', Buffer.from(await res.arrayBuffer()));
    const r = parseStiResponse(xml);
    assert.equal(r.code, 2000, r.message);
    const [small, limited] = r.results;
    assert.equal(small!.output!.contentType, 'video/3gpp');
    const a = assertWatchable(parts.get(small!.output!.location.replace(/^cid:/, ''))!.data, hd, 45_000);
    assert.ok(a.width * a.height <= 320 * 240, `${a.width}×${a.height}`);
    assert.ok(small!.adaptations!.includes('Resize'));
    const b = assertWatchable(parts.get(limited!.output!.location.replace(/^cid:/, ''))!.data, hd, 200_000, { width: 320, height: 240 });
    assert.ok(b.fps <= 10 && b.videoBitRate <= 64_000 * 1.15, `${b.fps} fps, ${b.videoBitRate} bit/s`);
  });

  it('an animated GIF: kept animated for a GIF class; asked for as a JPEG, refused with the reason instead of a still', async () => {
    const jobs =
      job('keep', 'image/gif', 'anim@peer', '<sizeLimit>60000</sizeLimit>', '<adaptationClasses><adaptationClass><className>100k</className></adaptationClass></adaptationClasses>') +
      job('still', 'image/gif', 'anim@peer', '<image><contentType>image/jpeg</contentType></image><sizeLimit>60000</sizeLimit>');
    const req = requestBody(jobs, [{ cid: 'anim@peer', type: 'image/gif', data: gif }]);
    validateSti(req.xml);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': req.type }, body: req.body });
    const { xml, parts } = splitResponse(res.headers.get('content-type') ?? '', Buffer.from(await res.arrayBuffer()));
    validateSti(xml.replace(/^[\s\S]*?(<TranscodingResponse)/, '<?xml version="1.0" encoding="UTF-8"?>\n$1').replace(/(<\/TranscodingResponse>)[\s\S]*$/, '$1'));
    const r = parseStiResponse(xml);
    const [keep, still] = r.results;
    assert.equal(keep!.code, 2000, keep!.message);
    const out = parts.get(keep!.output!.location.replace(/^cid:/, ''))!;
    assert.equal(out.type, 'image/gif');
    assert.ok(out.data.length <= 60_000);
    assert.equal(videoFacts(out.data, 'gif').frames >= 6, true, 'still animated');
    assert.equal(still!.code, 4003);
    assert.match(still!.message!, /animation of 12 frames/);
  });
});
