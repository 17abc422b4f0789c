#!/usr/bin/env node
// Writes OpenMMSC's own conformance samples (Apache-2.0, like the project) from the annotated
// octets and text below, with SOURCES.json and the expected values. They stand in for samples we
// may not redistribute: each one reproduces a deviation seen in another implementation's output
// (see ../../README.md), with our own values. Run it again after changing a sample and commit the
// output; `node generate.mjs DIR` writes to another folder (the provenance test compares).
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));
const sources = [];

/** Octets from hex digits (spaces ignored). */
const h = (hex) => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
/** A WSP Text-string: the characters, then NUL. */
const t = (s) => Buffer.from(`${s}\0`, 'latin1');
/** A WSP uintvar. */
function uv(n) {
  const out = [n & 0x7f];
  for (n = Math.floor(n / 128); n > 0; n = Math.floor(n / 128)) out.unshift((n & 0x7f) | 0x80);
  return Buffer.from(out);
}
/** An address header value: Value-length, Address-present-token, Encoded-string. */
const addr = (a) => Buffer.concat([Buffer.from([a.length + 2, 0x80]), t(a)]);
/**
 * The head OMA-MMS-ENC requires of a PDU, in its order: X-Mms-Message-Type, X-Mms-Transaction-ID,
 * X-Mms-MMS-Version (the type and version as their hex octets, e.g. '84' and '92').
 */
const head = (type, transactionId, version) => Buffer.concat([h(`8c ${type}`), h('98'), t(transactionId), h(`8d ${version}`)]);
/** One multipart entry: HeadersLen, DataLen, ContentType + headers, data. */
const entry = (headers, data) => Buffer.concat([uv(headers.length), uv(data.length), headers, data]);
/** Lines joined with LF only (the deviation some writers show), ending with one. */
const lf = (...lines) => Buffer.from(lines.join('\n') + '\n', 'utf8');

function write(file, bytes, meta, expected) {
  const path = join(here, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  sources.push({
    file: `openmmsc/${file}`,
    license: 'Apache-2.0 (OpenMMSC; written for this project by conformance/corpus/openmmsc/generate.mjs)',
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    ...meta,
  });
  if (expected) writeFileSync(`${path}.expected.json`, JSON.stringify(expected, null, 2) + '\n');
}

const FIELD_ORDER =
  'Headers written in ascending field-code order, so X-Mms-Message-Type (0x8C) is not the first ' +
  'header as OMA-MMS-ENC requires. Seen in the output of an MMSC whose encoder sorts header fields ' +
  '(VectorCore MMSC). A lenient decoder reads it with a warning; a strict one refuses it.';

// --- MMS PDUs -------------------------------------------------------------------------------

write(
  'pdus/m-send-req-field-order.mms',
  Buffer.concat([
    h('89'), addr('+15550000001/TYPE=PLMN'), // From
    h('8c 80'), // X-Mms-Message-Type: m-send-req
    h('8d 92'), // X-Mms-MMS-Version: 1.2
    h('96'), t('Field order'), // Subject
    h('97'), t('+15550000002/TYPE=PLMN'), // To
    h('98'), t('ours-send-1'), // X-Mms-Transaction-ID
    h('84 12'), t('multipart/related'), // Content-Type, general form with a textual media type
    uv(1),
    entry(Buffer.concat([t('text/plain'), h('c0 22'), t('<t1>')]), Buffer.from('Hello from OpenMMSC', 'ascii')),
  ]),
  { kind: 'mms-pdu', pdu_type: 'm-send-req', deviation: 'field-code order' },
  {
    asserted: { message_type: 'm-send-req (0x80)', TransactionID: 'ours-send-1', From: '+15550000001/TYPE=PLMN', part_count: 1, 'parts[0].content_type': 'text/plain' },
    conformance_warning: FIELD_ORDER,
  },
);

write(
  'pdus/m-notification-ind-field-order.mms',
  Buffer.concat([
    h('83'), t('http://mmsc.example.org/m/ours-n1'), // X-Mms-Content-Location
    h('88 05 81 03 09 3a 80'), // X-Mms-Expiry: relative, 604800 s
    h('89'), addr('+15550000001/TYPE=PLMN'), // From
    h('8a 80'), // X-Mms-Message-Class: Personal
    h('8c 82'), // X-Mms-Message-Type: m-notification-ind
    h('8d 92'), // X-Mms-MMS-Version: 1.2
    h('8e 02 0b b8'), // X-Mms-Message-Size: 3000
    h('96'), t('Field order'), // Subject
    h('98'), t('ours-notify-1'), // X-Mms-Transaction-ID
  ]),
  { kind: 'mms-pdu', pdu_type: 'm-notification-ind', deviation: 'field-code order' },
  {
    asserted: { message_type: 'm-notification-ind (0x82)', TransactionID: 'ours-notify-1', From: '+15550000001/TYPE=PLMN', 'Content-Location': 'non-empty' },
    conformance_warning: FIELD_ORDER,
  },
);

write(
  'pdus/m-delivery-ind-field-order.mms',
  Buffer.concat([
    h('85 04 65 53 f1 00'), // Date: 1700000000
    h('8b'), t('ours-mid-1'), // Message-ID
    h('8c 86'), // X-Mms-Message-Type: m-delivery-ind
    h('8d 92'), // X-Mms-MMS-Version: 1.2
    h('95 81'), // X-Mms-Status: Retrieved
    h('97'), t('+15550000002/TYPE=PLMN'), // To
  ]),
  { kind: 'mms-pdu', pdu_type: 'm-delivery-ind', deviation: 'field-code order' },
  {
    asserted: { message_type: 'm-delivery-ind (0x86)', 'Message-ID': 'ours-mid-1' },
    conformance_warning: FIELD_ORDER,
  },
);

write(
  'pdus/m-retrieve-conf-text-content-type.mms',
  Buffer.concat([
    head('84', 'ours-retrieve-1', '92'), // m-retrieve-conf, MMS 1.2
    h('8b'), t('ours-mid-2'), // Message-ID
    h('85 04 65 53 f1 00'), // Date: 1700000000
    h('89'), addr('+15550000001/TYPE=PLMN'), // From
    h('97'), t('+15550000002/TYPE=PLMN'), // To
    h('84 12'), t('multipart/related'), // Content-Type as text, not the well-known 0xB3
    uv(1),
    // The part's Content-Type in general form, then Content-ID as a textual header name.
    entry(Buffer.concat([h('0b'), t('text/plain'), t('Content-ID'), t('<t1>')]), Buffer.from('hello', 'ascii')),
  ]),
  { kind: 'mms-pdu', pdu_type: 'm-retrieve-conf', deviation: 'textual content types and header names' },
  {
    asserted: { message_type: 'm-retrieve-conf (0x84)', TransactionID: 'ours-retrieve-1', 'Message-ID': 'ours-mid-2', part_count: 1, 'parts[0].content_type': 'text/plain' },
    notes:
      'Top-level Content-Type "multipart/related" in text form and, in the part, a textual ' +
      '"Content-ID" header name: both allowed by WAP-230-WSP, written by MMSCs that do not use the ' +
      'well-known codes (VectorCore MMSC does). tshark 4.0 does not dissect such a body.',
  },
);

write(
  'pdus/m-send-req-empty-multipart.mms',
  Buffer.concat([
    head('80', 'ours-empty-1', '90'), // m-send-req, MMS 1.0
    h('89'), addr('+15550000001/TYPE=PLMN'), // From
    h('97'), t('+15550000002/TYPE=PLMN'), // To
    h('96'), t('Headers only'), // Subject
    h('84 a3'), // Content-Type: application/vnd.wap.multipart.mixed
    uv(0), // a multipart body with no entries
  ]),
  { kind: 'mms-pdu', pdu_type: 'm-send-req', deviation: 'multipart body with zero entries' },
  {
    asserted: { message_type: 'm-send-req (0x80)', TransactionID: 'ours-empty-1', part_count: 0 },
    notes: 'An MMS 1.0 m-send-req whose multipart body announces zero entries, as the Nokia MMS Java Library writes a header-only message.',
  },
);

// --- MM3 / MM4 mail -------------------------------------------------------------------------

write(
  'mm3/plain-lf.eml',
  lf(
    'From: +15550000009@mmsc.example.org',
    'To: someone@example.net',
    'Subject: Hello',
    'Message-ID: <ours-mm3-1@mmsc.example.org>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain',
    'X-Mailer: OpenMMSC conformance sample',
    '',
    'hello',
  ),
  { kind: 'mm3-email', deviation: 'LF line ends, no Date' },
  {
    asserted: { Subject: 'Hello', text: 'hello' },
    notes: 'A single-part mail with LF line ends and no Date header, as written to disk by MMSCs and mail tools that do not use CRLF.',
  },
);

const MM4_NOTE =
  'MM4 (3GPP TS 23.140) with LF line ends, no Date header and E.164 numbers without a domain in ' +
  'From/To, as some MMSCs write them (VectorCore MMSC does).';

write(
  'mm4/forward_req.eml',
  lf(
    'From: +12025550170',
    'To: +12025550171',
    'MIME-Version: 1.0',
    'Content-Type: multipart/related; boundary=ours-boundary',
    'X-Mms-3GPP-MMS-Version: 6.3.0',
    'X-Mms-Message-Type: MM4_forward.REQ',
    'X-Mms-Transaction-ID: ours-tx-1',
    'X-Mms-Message-ID: ours-mid-1',
    'X-Mms-Originator-System: system=mmsc.example.net;party=+12025550170',
    'X-Mms-Sender-Address: +12025550170/TYPE=PLMN',
    'X-Mms-To: +12025550171/TYPE=PLMN',
    'Subject: greetings',
    'X-Mms-Delivery-Report: Yes',
    '',
    '--ours-boundary',
    'Content-Type: text/plain',
    'Content-ID: <t1>',
    'Content-Location: t1.txt',
    '',
    'greetings from the conformance corpus',
    '--ours-boundary--',
  ),
  { kind: 'mm4-smtp-message', deviation: 'LF line ends, bare E.164 From/To, no Date' },
  {
    asserted: {
      'X-Mms-Message-Type': 'MM4_forward.REQ',
      message_id: 'ours-mid-1',
      transaction_id: 'ours-tx-1',
      from: '+12025550170',
      to: ['+12025550171'],
      subject: 'greetings',
      part_count: 1,
      'parts[0]': { content_type: 'text/plain', content_id: '<t1>', data: 'greetings from the conformance corpus' },
    },
    notes: MM4_NOTE,
  },
);

/** An MM4 report from the peer MMSC: plain-text body, the report's status in `statusHeader`. */
const mm4Report = (type, tx, statusHeader) =>
  lf(
    'From: mmsc.example.net',
    'To: +12025550170/TYPE=PLMN',
    'MIME-Version: 1.0',
    'Content-Type: text/plain',
    'X-Mms-3GPP-MMS-Version: 6.3.0',
    `X-Mms-Message-Type: ${type}`,
    `X-Mms-Transaction-ID: ours-tx-${tx}`,
    `X-Mms-Message-ID: ours-mid-${tx}`,
    'X-Mms-Originator-System: system=mmsc.example.net;party=+12025550171',
    statusHeader,
    'X-Mms-Request-Status-Code: Ok',
    '',
    'OK',
  );

write(
  'mm4/delivery_report_req.eml',
  mm4Report('MM4_delivery_report.REQ', 2, 'X-Mms-Status: Retrieved'),
  { kind: 'mm4-smtp-message', deviation: 'LF line ends, host name as From, X-Mms-Status for X-Mms-MM-Status-Code' },
  {
    asserted: { 'X-Mms-Message-Type': 'MM4_delivery_report.REQ', 'X-Mms-MM-Status-Code': 'Retrieved', 'X-Mms-Request-Status-Code': 'Ok', message_id: 'ours-mid-2', transaction_id: 'ours-tx-2' },
    notes: `${MM4_NOTE} The status is in X-Mms-Status rather than X-Mms-MM-Status-Code.`,
  },
);

write(
  'mm4/read_reply_report_req.eml',
  mm4Report('MM4_read_reply_report.REQ', 3, 'X-Mms-Read-Status: Read'),
  { kind: 'mm4-smtp-message', deviation: 'LF line ends, host name as From' },
  {
    asserted: { 'X-Mms-Message-Type': 'MM4_read_reply_report.REQ', 'X-Mms-Read-Status': 'Read', 'X-Mms-Request-Status-Code': 'Ok', message_id: 'ours-mid-3', transaction_id: 'ours-tx-3' },
    notes: MM4_NOTE,
  },
);

// --- MM7 SOAP -------------------------------------------------------------------------------

const REL5 = 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-0';
const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const UNQUALIFIED =
  'only the operation element carries the MM7 namespace prefix, its children are unqualified (the ' +
  'schemas say elementFormDefault="qualified"), and TransactionID has env:mustUnderstand, which ' +
  'REL-5-MM7-1-0 does not declare; SOAP stacks of VASPs write both';

write(
  'mm7/submit_req.multipart',
  lf(
    '--ours-soap',
    'Content-Type: text/xml; charset=utf-8',
    '',
    '<?xml version="1.0"?>',
    `<env:Envelope xmlns:env="${SOAP_ENV}" xmlns:mm7="${REL5}">`,
    '  <env:Header>',
    '    <mm7:TransactionID env:mustUnderstand="1">ours-submit-1</mm7:TransactionID>',
    '  </env:Header>',
    '  <env:Body>',
    '    <mm7:SubmitReq>',
    '      <MM7Version>5.3.0</MM7Version>',
    '      <SenderIdentification>',
    '        <VASPID>ours-vasp</VASPID>',
    '        <VASID>ours-service</VASID>',
    '        <SenderAddress><ShortCode>12345</ShortCode></SenderAddress>',
    '      </SenderIdentification>',
    '      <Recipients>',
    '        <To><Number>+15550000021</Number></To>',
    '      </Recipients>',
    '      <Subject>Greetings</Subject>',
    '      <Content href="cid:ours-content"></Content>',
    '    </mm7:SubmitReq>',
    '  </env:Body>',
    '</env:Envelope>',
    '--ours-soap',
    'Content-Type: text/plain',
    'Content-ID: <ours-content>',
    '',
    'greetings from the conformance corpus',
    '--ours-soap--',
  ),
  { kind: 'mm7-soap', deviation: `LF line ends, multipart/related without start and type parameters; ${UNQUALIFIED}` },
  {
    http_content_type: 'multipart/related; boundary=ours-soap',
    asserted: {
      TransactionID: 'ours-submit-1',
      MM7Version: '5.3.0',
      'SenderIdentification.VASPID': 'ours-vasp',
      'Recipients.To[0].Number': '+15550000021',
      Subject: 'Greetings',
      'attachment[ours-content].content_type': 'text/plain',
      'attachment[ours-content].data': 'greetings from the conformance corpus',
    },
    notes:
      'An MM7_submit.REQ (REL-5-MM7-1-0) as multipart/related with LF line ends and neither a start ' +
      'nor a type parameter: the SOAP part is simply the first one. VASP gateways send this (as do ' +
      'VectorCore MMSC fixtures); a receiver should take the first part as the envelope. ' +
      `Not valid against the schema on purpose: ${UNQUALIFIED}.`,
  },
);

for (const [name, element, tx] of [
  ['deliver_rsp', 'DeliverRsp', 'ours-deliver-1'],
  ['delivery_report_rsp', 'DeliveryReportRsp', 'ours-report-1'],
  ['read_reply_rsp', 'ReadReplyRsp', 'ours-read-1'],
]) {
  write(
    `mm7/${name}.soap`,
    lf(
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<env:Envelope xmlns:env="${SOAP_ENV}" xmlns:mm7="${REL5}">`,
      '  <env:Header>',
      `    <mm7:TransactionID env:mustUnderstand="1">${tx}</mm7:TransactionID>`,
      '  </env:Header>',
      '  <env:Body>',
      `    <mm7:${element}>`,
      '      <MM7Version>5.3.0</MM7Version>',
      '      <Status>',
      '        <StatusCode>1000</StatusCode>',
      '        <StatusText>Success</StatusText>',
      '      </Status>',
      `    </mm7:${element}>`,
      '  </env:Body>',
      '</env:Envelope>',
    ),
    { kind: 'mm7-soap', deviation: UNQUALIFIED },
    {
      input: { transaction_id: tx, mm7_version: '5.3.0', status_code: 1000, http_content_type: 'text/xml; charset=utf-8' },
      notes: `A VASP's ${element} in the oldest release (REL-5-MM7-1-0). Not valid against the schema on purpose: ${UNQUALIFIED}.`,
    },
  );
}

writeFileSync(join(here, 'SOURCES.json'), JSON.stringify(sources, null, 2) + '\n');
console.log(`wrote ${sources.length} samples`);
