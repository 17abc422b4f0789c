#!/usr/bin/env node
// The hobbyist's demo: starts the MMSC from openmmsc.yaml with a simulated SMSC in this process
// (push-smpp binds to it), two simulated phones, and sends one MMS (a picture drawn now and a
// text) from +15550000001 to +15550000002. The journey is told on stderr; then it runs until Ctrl-C.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMmsc } from '@openmmsc/core';
import { mm1Url } from '@openmmsc/plugin-mm1';
import { SimulatedHandset, SimulatedSmsc, makePng } from '@openmmsc/testkit';

const here = dirname(fileURLToPath(import.meta.url));
const configFile = join(here, 'openmmsc.yaml');
const dataDir = resolve(here, process.env.OPENMMSC_DATA_DIR ?? '.data');
const A = '+15550000001';
const B = '+15550000002';

const t0 = Date.now();
const say = (text) => process.stderr.write(`${text}\n`);
const step = (who, text) => say(`${`+${((Date.now() - t0) / 1000).toFixed(3)}s`.padStart(9)}  ${who.padEnd(13)} ${text}`);
const kb = (n) => (n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} bytes`);
const short = (url) => url.replace(/(\/[mv]\/[^/.]{6})[^/]*$/, '$1…');

// 1. The SMSC the MMSC pushes notifications through (SMPP over loopback, in this process).
const smsc = new SimulatedSmsc({ port: Number(process.env.OPENMMSC_SMSC_PORT ?? 2775) });
await smsc.start();

// 2. The MMSC: plugins from openmmsc.yaml; its push-smpp link points at that SMSC through the
//    environment (the port may have been picked at random).
process.env.OPENMMSC_SMSC_HOST = smsc.host;
process.env.OPENMMSC_SMSC_PORT = String(smsc.port);
const mmsc = await createMmsc({ configFile });
let stopping = false;
const stopped = new Promise((done) => {
  const onSignal = (signal) => {
    if (stopping) process.exit(1);
    stopping = true;
    say(`${signal}: draining and stopping`);
    Promise.allSettled(phones.map((p) => p.close()))
      .then(() => mmsc.stop())
      .then(() => smsc.stop())
      .then(done, (error) => {
        say(`error: stop failed: ${error.message}`);
        done();
      });
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
});
const url = mm1Url(mmsc);
say(`OpenMMSC started with ${mmsc.pluginNames.length} plugins: ${mmsc.pluginNames.join(', ')}`);
say(`admin: ${mmsc.adminUrl}/health  ${mmsc.adminUrl}/ready  ${mmsc.adminUrl}/metrics`);
say(`MM1 (handsets): ${url}/mms   simulated SMSC: smpp://${smsc.host}:${smsc.port}   data: ${dataDir}`);

// 3. Two phones: they POST to MM1 as a WAP gateway would (with the MSISDN header) and listen to the SMSC.
smsc.on('submit', (sms) => {
  const udh = (sms.esmClass & 0x40) !== 0;
  step('SMSC', `submit_sm to ${sms.destinationAddr}: ${udh ? 'binary (WAP Push segment)' : 'text'}, ${sms.shortMessage.length} octets`);
});
const onEvent = (e) => {
  switch (e.type) {
    case 'notification':
      step(e.handset, `← WAP Push m-notification-ind: from ${e.pdu.from?.address ?? '(hidden)'}, "${e.pdu.subject?.text ?? ''}", ${kb(e.pdu.messageSize ?? 0)}, ${short(e.pdu.contentLocation ?? '')}`);
      break;
    case 'retrieved': {
      const parts = e.message.parts.map((p) => `${p.contentType.type} ${kb(p.data.length)}`).join(', ');
      step(e.handset, `GET → m-retrieve-conf ${e.message.pdu.messageId}: ${parts}; text "${e.message.texts.join(' ')}"`);
      break;
    }
    case 'answered':
      step(e.handset, `→ ${e.pdu}${e.status ? ` ${e.status}` : ''} (HTTP ${e.httpStatus})`);
      break;
    case 'delivery-report':
      step(e.handset, `← WAP Push m-delivery-ind: ${e.pdu.messageId} to ${e.pdu.to?.[0]?.address}: ${e.pdu.status}`);
      break;
    case 'read-report':
      step(e.handset, `← WAP Push m-read-orig-ind: ${e.pdu.messageId} ${e.pdu.readStatus} by ${e.pdu.from?.address}`);
      break;
    case 'text':
      step(e.handset, `← SMS "${e.text}"`);
      break;
    case 'error':
      step(e.handset, `error: ${e.error.message}`);
      break;
  }
};
const phones = [A, B].map((msisdn) => new SimulatedHandset({ msisdn, mmscUrl: `${url}/mms`, smsc, onEvent }));
say(`phones: ${A} and ${B} (simulated handsets)`);

// 4. The demo: a picture drawn just now and a text, with a delivery report asked for.
const [alice, bob] = phones;
const picture = makePng(240, 160, Date.now() % 1000);
step(A, `→ m-send-req to ${B}: "Hello from OpenMMSC" + picture.png (${kb(picture.length)}, drawn just now), delivery report asked`);
const sent = await alice.send({
  to: B,
  subject: 'Hello',
  text: 'Hello from OpenMMSC',
  attachments: [{ contentType: 'image/png', data: picture, name: 'picture.png' }],
  deliveryReport: true,
});
step(A, `← m-send-conf ${sent.status}, message id ${sent.messageId ?? '-'} (${sent.latencyMs.toFixed(1)} ms)`);
if (sent.status === 'ok' && sent.messageId) {
  try {
    const got = await bob.waitForMessage((m) => m.pdu.messageId === sent.messageId, 15_000);
    const report = await alice.waitForDeliveryReport((r) => r.messageId === sent.messageId, 15_000);
    await mkdir(dataDir, { recursive: true });
    const saved = join(dataDir, 'received-picture.png');
    await writeFile(saved, got.parts.find((p) => p.contentType.type === 'image/png')?.data ?? Buffer.alloc(0));
    const [r] = await mmsc.getRecipients(sent.messageId);
    // Its moves; entries with an `event` record what happened without a move (a CDR written, a report sent).
    say(`recipient ${r.address.value}: ${r.history.filter((h) => !h.event).map((h) => `${h.state} (${h.by})`).join(' → ')}`);
    const cdrs = r.history.filter((h) => h.event === 'cdr-written').map((h) => h.reason?.split(' ')[0]);
    if (cdrs.length) say(`CDRs written for it: ${cdrs.join(', ')} (in ${join(dataDir, 'cdr.jsonl')})`);
    say(`delivery report for ${sent.messageId}: ${report.status}; the picture ${B} received is in ${saved}`);
  } catch (error) {
    say(`error: the demo message did not complete: ${error.message}`);
  }
}
say('running; press Ctrl-C to stop');
await stopped;
