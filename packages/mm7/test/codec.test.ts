import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  RELEASE_NAMES,
  RELEASES,
  decodeEnvelope,
  decodeMm7,
  encodeMm7,
  writeEnvelope,
  Mm7DecodeError,
  type Dialect,
  type Mm7Body,
  type SubmitReq,
  decodeQuotedPrintable,
  encodeQuotedPrintable,
  parseXsDuration,
  partsFromContent,
  salvageHints,
} from '../src/index.js';
import { extendedBodies, sampleBodies } from './fixtures.js';
import { expectedFor, readCorpus } from '@openmmsc/conformance';
import { requireSystem } from '../../testkit/src/system/index.js';
import { imagePart, textPart, validateEnvelopes } from './helpers.js';

const DIALECTS: Dialect[] = [
  { envelopePrefix: 'env', mm7Prefix: 'mm7', xmlDeclaration: true, mustUnderstand: true },
  { envelopePrefix: '', mm7Prefix: '', xmlDeclaration: false, mustUnderstand: true },
  { envelopePrefix: 'SOAP-ENV', mm7Prefix: '', xmlDeclaration: true, mustUnderstand: false },
  { envelopePrefix: '', mm7Prefix: 'mm7', xmlDeclaration: true, mustUnderstand: true },
];

function bodiesFor(release: (typeof RELEASE_NAMES)[number]): Mm7Body[] {
  return [...sampleBodies(), ...(RELEASES[release].rel614 ? extendedBodies() : [])];
}

describe('MM7 codec', () => {
  it('every message type, in every release and dialect, validates against its release XSD (xmllint)', { skip: requireSystem('xmllint') }, async () => {
    const items: Array<{ release: string; xml: string; label: string }> = [];
    for (const name of RELEASE_NAMES) {
      for (const [j, dialect] of DIALECTS.entries()) {
        for (const body of bodiesFor(name)) {
          items.push({ release: name, label: `${body.type} dialect ${j}`, xml: writeEnvelope({ release: RELEASES[name], transactionId: 'tx-1', body, dialect }) });
        }
        items.push({
          release: name,
          label: `Fault dialect ${j}`,
          xml: writeEnvelope({
            release: RELEASES[name],
            transactionId: 'tx-1',
            dialect,
            body: { type: 'Fault', fault: { faultcode: 'Client', faultstring: 'bad', detail: { type: 'RSErrorRsp', status: { code: 2007, text: 'Message format corrupt' } } } },
          }),
        });
      }
    }
    assert.ok(items.length > 600);
    const problems = await validateEnvelopes(items);
    assert.deepEqual(problems, []);
  });

  it('decodes what it encodes, in every release', () => {
    for (const name of RELEASE_NAMES) {
      for (const body of bodiesFor(name)) {
        const xml = writeEnvelope({ release: RELEASES[name], transactionId: 'tx-9', body });
        const env = decodeEnvelope(xml);
        assert.equal(env.release.name, name);
        assert.equal(env.transactionId, 'tx-9');
        assert.equal(env.bodyType, body.type);
        assert.equal(env.version, RELEASES[name].versions[0]);
        if (body.type === 'SubmitReq') {
          const got = env.body as SubmitReq;
          assert.equal(got.subject, 'Hello & <welcome>');
          assert.equal(got.recipients.to.length, 2);
          assert.equal(got.recipients.cc[0]?.displayOnly, true);
          assert.equal(got.deliveryReport, true);
          assert.equal(got.distributionIndicator, false);
          assert.equal(got.senderIdentification.vaspId, 'vasp1');
          assert.equal(got.senderIdentification.senderAddress?.value, '12345');
        }
        if (body.type === 'SubmitRsp') assert.equal((env.body as { messageId?: string }).messageId, body.messageId);
      }
    }
  });

  it('answers in the version the request used when the release knows it', () => {
    const xml = writeEnvelope({ release: RELEASES['REL-6-MM7-1-2'], transactionId: 't', version: '5.10.0', body: { type: 'CancelRsp', status: { code: 1000, text: 'Success' } } });
    assert.match(xml, /MM7Version>5\.10\.0</);
    const other = writeEnvelope({ release: RELEASES['REL-5-MM7-1-0'], transactionId: 't', version: '6.8.0', body: { type: 'CancelRsp', status: { code: 1000, text: 'Success' } } });
    assert.match(other, /MM7Version>5\.3\.0</);
  });

  it('writes SubmitReq with attachments as multipart/related and reads it back (binary and base64)', () => {
    const parts = [textPart('hello ünïcode'), imagePart(5000)];
    for (const transferEncoding of ['binary', 'base64'] as const) {
      const payload = encodeMm7(
        { release: RELEASES['REL-6-MM7-1-4'], transactionId: 'tx', body: { type: 'SubmitReq', senderIdentification: { vaspId: 'v' }, recipients: { to: [{ kind: 'Number', value: '+15550000001' }], cc: [], bcc: [] } } },
        { parts, transferEncoding },
      );
      assert.match(payload.contentType, /^multipart\/related; boundary=.*type="?text\/xml/);
      const decoded = decodeMm7(payload.contentType, payload.body);
      const { parts: got } = partsFromContent(decoded.content);
      assert.equal(got.length, 2);
      assert.equal(Buffer.from(got[0]!.data).toString('utf8'), 'hello ünïcode');
      assert.deepEqual(Buffer.from(got[1]!.data), Buffer.from(parts[1]!.data));
    }
  });

  it('reads the conformance corpus MM7 samples (SubmitReq multipart with LF line ends and no start, unqualified children, responses)', () => {
    const file = 'openmmsc/mm7/submit_req.multipart';
    const expected = expectedFor<{ http_content_type: string; asserted: Record<string, string> }>(file)!;
    const decoded = decodeMm7(expected.http_content_type, readCorpus(file));
    const a = expected.asserted;
    assert.equal(decoded.envelope.transactionId, a.TransactionID);
    assert.equal(decoded.envelope.version, a.MM7Version);
    const body = decoded.envelope.body as SubmitReq;
    assert.equal(body.senderIdentification.vaspId, a['SenderIdentification.VASPID']);
    assert.equal(decoded.content?.contentType.type, a['attachment[ours-content].content_type']);
    assert.equal(decoded.content?.body.toString(), a['attachment[ours-content].data']);
    assert.equal(body.recipients.to[0]?.value, a['Recipients.To[0].Number']);
    assert.equal(body.subject, a.Subject);
    for (const name of ['deliver_rsp', 'delivery_report_rsp', 'read_reply_rsp']) {
      const exp = expectedFor<{ input: { transaction_id: string; mm7_version: string; status_code: number; http_content_type: string } }>(`openmmsc/mm7/${name}.soap`)!;
      const env = decodeMm7(exp.input.http_content_type, readCorpus(`openmmsc/mm7/${name}.soap`)).envelope;
      assert.equal(env.transactionId, exp.input.transaction_id);
      assert.equal(env.version, exp.input.mm7_version);
      assert.equal((env.body as { status: { code: number } }).status.code, exp.input.status_code);
    }
  });

  it('reads nested multiparts, quoted-printable and base64 parts, LF line ends and a preamble', () => {
    const envelope = writeEnvelope({ release: RELEASES['REL-5-MM7-1-2'], transactionId: 'n1', body: { type: 'SubmitReq', senderIdentification: {}, recipients: { to: [{ kind: 'Number', value: '+15550000001' }], cc: [], bcc: [] }, content: { href: 'cid:outer' } } });
    const smil = '<smil><body><par><img src="cid:img"/><text src="cid:txt"/></par></body></smil>';
    const body = [
      'This is a preamble.',
      '--OUT',
      'Content-Type: text/xml',
      '',
      envelope,
      '--OUT',
      'Content-Type: multipart/related; boundary="IN"; type="application/smil"; start="<smil>"',
      'Content-ID: <outer>',
      '',
      '--IN',
      'Content-Type: application/smil',
      'Content-ID: <smil>',
      '',
      smil,
      '--IN',
      'Content-Type: multipart/alternative; boundary=ALT',
      '',
      '--ALT',
      'Content-Type: text/plain; charset=utf-8',
      'Content-ID: <txt>',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'caf=C3=A9 long line =',
      'continued',
      '--ALT--',
      '--IN',
      'Content-Type: image/gif',
      'Content-ID: <img>',
      'Content-Transfer-Encoding: base64',
      '',
      'R0lGODlhAQABAAAAACw=',
      '--IN--',
      '--OUT--',
      'epilogue',
    ].join('\n');
    const decoded = decodeMm7('multipart/related; boundary=OUT; type="text/xml"', Buffer.from(body));
    const { parts, contentType } = partsFromContent(decoded.content);
    assert.equal(contentType.type, 'application/vnd.wap.multipart.related');
    assert.deepEqual(parts.map((p) => p.contentType.type), ['application/smil', 'text/plain', 'image/gif']);
    assert.equal(parts[0]!.contentId, 'smil');
    assert.equal(contentType.params.start, 'smil', '`start` is kept bare, as the Content-ID it names');
    assert.equal(Buffer.from(parts[1]!.data).toString('utf8'), 'café long line continued');
    assert.deepEqual(Buffer.from(parts[2]!.data), Buffer.from('R0lGODlhAQABAAAAACw=', 'base64'));
  });

  it('keeps Content-IDs and `start` bare, and writes both as <id> on the wire', () => {
    const env = writeEnvelope({ release: RELEASES['REL-6-MM7-1-4'], transactionId: 't-cid', body: { type: 'SubmitReq', senderIdentification: { vaspId: 'v' }, recipients: { to: [{ kind: 'Number', value: '+15550000001' }], cc: [], bcc: [] }, content: { href: 'cid:payload' } } as SubmitReq });
    const body = [
      '--S',
      'Content-Type: text/xml',
      'Content-ID: <env>',
      '',
      env,
      '--S',
      'Content-Type: multipart/related; boundary=C; type="application/smil"; start="<pres@vasp>"',
      'Content-ID: <payload>',
      '',
      '--C',
      'Content-Type: text/plain',
      'Content-ID: <txt@vasp>',
      '',
      'hello',
      '--C',
      'Content-Type: application/smil',
      'Content-ID: <pres@vasp>',
      '',
      '<smil/>',
      '--C--',
      '--S--',
    ].join('\r\n');
    const { parts, contentType } = partsFromContent(decodeMm7('multipart/related; boundary=S; start="<env>"', Buffer.from(body)).content);
    assert.deepEqual(parts.map((p) => p.contentId), ['txt@vasp', 'pres@vasp']);
    assert.equal(contentType.params.start, 'pres@vasp');
    assert.ok(parts.some((p) => p.contentId === contentType.params.start), '`start` names a stored part as it is stored');
    const out = encodeMm7({ release: RELEASES['REL-6-MM7-1-4'], transactionId: 't2', body: { type: 'DeliverReq', sender: { kind: 'Number', value: '+15550000001' }, content: { href: 'cid:x' } } as Mm7Body }, { parts }).body.toString('latin1');
    assert.match(out, /start="<pres@vasp>"/);
    assert.match(out, /\r\nContent-ID: <pres@vasp>\r\n/);
    assert.match(out, /\r\nContent-ID: <txt@vasp>\r\n/);
  });

  it('quoted-printable round trip and xs:duration', () => {
    const data = Buffer.from('Grüße = 100%\r\nline two with trailing space \r\n' + 'x'.repeat(200));
    assert.deepEqual(decodeQuotedPrintable(Buffer.from(encodeQuotedPrintable(data))), data);
    assert.equal(parseXsDuration('P1DT2H'), 26 * 3600_000);
    assert.equal(parseXsDuration('PT30M'), 30 * 60_000);
    assert.equal(parseXsDuration('P'), undefined);
    assert.equal(parseXsDuration('1D'), undefined);
  });

  it('refuses DTDs, entities, deep nesting and oversize XML with 2007, unknown namespaces with 4002', () => {
    const ok = writeEnvelope({ release: RELEASES['REL-6-MM7-1-4'], transactionId: 't', body: { type: 'CancelReq', senderIdentification: {}, messageId: 'm' } });
    const cases: Array<[string, string, number]> = [
      ['doctype', `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]>${ok.replace(/^<\?xml[^>]*>\n?/, '')}`, 2007],
      ['billion laughs', `<!DOCTYPE l [<!ENTITY l0 "ha"><!ENTITY l1 "&l0;&l0;">]><x>&l1;</x>`, 2007],
      ['deep', `${'<a>'.repeat(100)}${'</a>'.repeat(100)}`, 2007],
      ['not xml', 'hello world', 2007],
      ['truncated', ok.slice(0, ok.length - 20), 2007],
      ['not soap', '<?xml version="1.0"?><root/>', 2007],
      ['unknown namespace', ok.replaceAll('REL-6-MM7-1-4', 'REL-7-MM7-1-0'), 4002],
      ['unknown version', ok.replace('6.8.0', '9.9.9'), 4002],
      ['missing MessageID', ok.replace(/<mm7:MessageID>m<\/mm7:MessageID>/, ''), 4004],
      ['unsupported operation', ok.replaceAll('CancelReq', 'FrobnicateReq'), 4003],
    ];
    for (const [label, xml, code] of cases) {
      assert.throws(() => decodeEnvelope(xml, { maxBytes: 100_000, maxDepth: 32, maxElements: 1000 }), (e: unknown) => e instanceof Mm7DecodeError && e.status === code, label);
    }
    assert.throws(() => decodeEnvelope(`<x>${'y'.repeat(200_000)}</x>`), (e: unknown) => e instanceof Mm7DecodeError && e.status === 2007);
  });

  it('refuses broken MIME: no closing boundary, dangling Content href, bad base64, unknown transfer encoding', () => {
    const env = writeEnvelope({ release: RELEASES['REL-6-MM7-1-4'], transactionId: 't', body: { type: 'SubmitReq', senderIdentification: {}, recipients: { to: [{ kind: 'Number', value: '+1555' }], cc: [], bcc: [] }, content: { href: 'cid:c' } } });
    const mk = (partHeaders: string, partBody: string, close = true) => Buffer.from(`--B\r\nContent-Type: text/xml\r\n\r\n${env}\r\n--B\r\n${partHeaders}\r\n\r\n${partBody}\r\n${close ? '--B--\r\n' : ''}`);
    const ct = 'multipart/related; boundary=B';
    const cases: Array<[string, Buffer]> = [
      ['unterminated', mk('Content-Type: text/plain\r\nContent-ID: <c>', 'x', false)],
      ['dangling href', mk('Content-Type: text/plain\r\nContent-ID: <other>', 'x')],
      ['bad base64', mk('Content-Type: image/gif\r\nContent-ID: <c>\r\nContent-Transfer-Encoding: base64', '!!!!')],
      ['base64 cut short', mk('Content-Type: image/gif\r\nContent-ID: <c>\r\nContent-Transfer-Encoding: base64', 'R0lGODlhAQABAIAAAP8\r\nAAAA')],
      ['unknown encoding', mk('Content-Type: image/gif\r\nContent-ID: <c>\r\nContent-Transfer-Encoding: x-uuencode', 'abc')],
    ];
    for (const [label, body] of cases) {
      // What the envelope said travels with the error, for the fault to echo.
      assert.throws(() => decodeMm7(ct, body), (e: unknown) => e instanceof Mm7DecodeError && e.status === 2007 && (label === 'dangling href' ? e.transactionId === 't' : true), label);
    }
    assert.throws(() => decodeMm7('multipart/related', Buffer.from('x')), (e: unknown) => e instanceof Mm7DecodeError && e.status === 2007);
    assert.throws(() => decodeMm7('application/json', Buffer.from('{}')), (e: unknown) => e instanceof Mm7DecodeError && e.status === 2007);
  });

  it('salvages the release and a complete TransactionID from a request it cannot read, and nothing it has to guess', () => {
    const env = writeEnvelope({ release: RELEASES['REL-5-MM7-1-3'], transactionId: 'a&b 7', body: { type: 'SubmitReq', senderIdentification: {}, recipients: { to: [], cc: [], bcc: [] } } });
    assert.deepEqual(salvageHints(env.slice(0, env.indexOf('<mm7:SubmitReq') + 5)), { release: RELEASES['REL-5-MM7-1-3'], transactionId: 'a&b 7' });
    const cut = env.slice(0, env.indexOf('a&amp;b') + 3);
    assert.deepEqual(salvageHints(Buffer.from(cut)), { release: RELEASES['REL-5-MM7-1-3'] });
    assert.deepEqual(salvageHints('garbage'), {});
    assert.equal(salvageHints('<TransactionID>x\u0001y</TransactionID>').transactionId, undefined);
  });

  it('reports the deviations it accepts as warnings', () => {
    const env = writeEnvelope({ release: RELEASES['REL-6-MM7-1-4'], transactionId: 'w', body: { type: 'SubmitReq', senderIdentification: {}, recipients: { to: [{ kind: 'Number', value: '+1555' }], cc: [], bcc: [] }, content: { href: 'cid:PIC' } } });
    const body = `--B\nContent-Type: application/octet-stream\n\n\ufeff${env}\n--B\nContent-Type: text/plain\nContent-ID: <pic>\nContent-Transfer-Encoding: quoted-printable\n\na=zz\n--B--\n`;
    const decoded = decodeMm7('multipart/related; boundary=B; start="<nope>"', Buffer.from(body));
    assert.deepEqual(decoded.warnings.map((w) => w.kind).sort(), ['bare-lf', 'byte-order-mark', 'content-id-case', 'envelope-type', 'qp-stray-equals', 'start-not-found']);
    assert.deepEqual(decodeMm7('text/xml', Buffer.from(env)).warnings, []);
    assert.deepEqual(decodeMm7(undefined, Buffer.from(env)).warnings.map((w) => w.kind), ['no-content-type']);
  });
});
