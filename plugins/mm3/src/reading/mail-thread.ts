// The module each MM3 reading thread runs (see MailReader).
import { revivedBuffers, serveThread, transferablesOf } from '@openmmsc/core/threads';
import { readMail, type MailOutcome, type ReadingOptions } from './mail-reading.js';

serveThread<{ raw: Uint8Array; options: ReadingOptions }, MailOutcome>(async (request) => {
  const { raw, options } = revivedBuffers(request) as { raw: Buffer; options: ReadingOptions };
  const value = await readMail(raw, options);
  return { value, transfer: transferablesOf([value, raw]) };
});
