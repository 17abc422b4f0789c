import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAddress, type MmsPart, type StoredMessage } from '@openmmsc/core';
import { mm3Options, mmsToEmail, senderEmail } from '../src/index.js';

const message: StoredMessage = {
  id: 'm1',
  headers: { from: parseAddress('+15550000001'), to: [parseAddress('bob@example.net')], cc: [], bcc: [], contentType: { type: 'application/vnd.wap.multipart.related', params: {} } },
  origin: { interface: 'mm1' },
  receivedAt: Date.UTC(2025, 0, 1),
  expiresAt: Date.UTC(2025, 0, 8),
  size: 10,
  partCount: 2,
  recipientCount: 1,
  attributes: {},
};
const parts: MmsPart[] = [
  { contentType: { type: 'application/smil', params: {} }, contentLocation: 'p.smil', data: Buffer.from('<smil/>') },
  { contentType: { type: 'text/plain', params: { charset: 'iso-8859-1' } }, data: Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65]) },
];

describe('MMS → e-mail composition', () => {
  it('keeps SMIL when asked, decodes text charsets, uses the default subject and digits-only From', () => {
    const options = mm3Options.parse({ domain: 'mms.example.net', fromLocalPart: 'digits', outbound: { smil: 'keep', html: false } });
    const mail = mmsToEmail(message, parts, 'bob@example.net', options);
    assert.equal(mail.subject, 'Multimedia message');
    assert.equal(mail.text, 'Grüße');
    assert.equal(mail.html, undefined);
    assert.equal(mail.from, '15550000001@mms.example.net');
    assert.equal(mail.attachments?.length, 1);
    assert.equal(mail.attachments?.[0]?.contentType, 'application/smil');
    assert.equal(senderEmail(parseAddress('x@y.example'), options), 'x@y.example');
  });

  it('drops SMIL by default and hides a hidden sender', () => {
    const options = mm3Options.parse({ domain: 'mms.example.net' });
    const mail = mmsToEmail({ ...message, headers: { ...message.headers, senderVisibility: 'hide' } }, parts, 'bob@example.net', options);
    assert.equal(mail.attachments?.length, 0);
    assert.equal(mail.from, 'anonymous@mms.example.net');
  });
});
