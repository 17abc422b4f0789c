import { parseAddress, type MmsMessage, type MmsPart } from '@openmmsc/core';

export interface MessageSpec {
  from?: string;
  to?: string | string[];
  cc?: string[];
  bcc?: string[];
  subject?: string;
  text?: string;
  /** Extra parts after the text. */
  parts?: MmsPart[];
  deliveryReport?: boolean;
  readReport?: boolean;
  expiry?: Date;
}

/** A small multipart/mixed MMS for tests: a text part plus any parts given. */
export function buildMessage(spec: MessageSpec = {}): MmsMessage {
  const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).map((a) => parseAddress(a));
  const parts: MmsPart[] = [];
  if (spec.text !== undefined || !spec.parts?.length) {
    parts.push({
      contentType: { type: 'text/plain', params: { charset: 'utf-8' } },
      contentLocation: 'text.txt',
      data: Buffer.from(spec.text ?? 'hello from OpenMMSC'),
    });
  }
  parts.push(...(spec.parts ?? []));
  const message: MmsMessage = {
    headers: {
      from: parseAddress(spec.from ?? '+15550000001'),
      to: list(spec.to ?? '+15550000002'),
      cc: list(spec.cc),
      bcc: list(spec.bcc),
      contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} },
      deliveryReport: spec.deliveryReport ?? false,
      readReport: spec.readReport ?? false,
    },
    parts,
  };
  if (spec.subject !== undefined) message.headers.subject = { text: spec.subject, charset: 'utf-8' };
  if (spec.expiry) message.headers.expiry = spec.expiry;
  return message;
}
