// Slow and greedy clients against MM1 and MM4 (issue 15, items 4 and 5), with the figures the
// closing note quotes: connections the crowd still holds, the server's descriptors, and what
// normal traffic meets meanwhile. Run: node --import tsx --conditions=@openmmsc/source bench/slow-clients/run.ts [--duration 95]
import { fork } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodePdu } from '@openmmsc/codec';
import { SlowClients, sendSmtp } from '@openmmsc/testkit';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const duration = arg('duration', 95) * 1000;
const every = arg('sample', 15) * 1000;
const PEER_C = 'mms.mnc003.mcc001.gprs';
const OURS = 'mms.mnc002.mcc001.gprs';

const child = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx', '--conditions=@openmmsc/source'] });
const ready = await new Promise<{ mm1: string; mm4: number; pid: number }>((resolve) => child.on('message', (m: { type: string; mm1: string; mm4: number; pid: number }) => m.type === 'ready' && resolve(m)));
const fds = () => readdirSync(`/proc/${ready.pid}/fd`).length;
const fdsAtStart = fds();
const mm1Port = Number(new URL(ready.mm1).port);

// 500 handsets that send an m-send-req of 30 KB one byte every 3 s (25 hours for the body).
const http = new SlowClients({
  port: mm1Port,
  localAddress: '127.0.0.2',
  count: 500,
  opening: 'POST /mms HTTP/1.1\r\nHost: mmsc\r\nContent-Type: application/vnd.wap.mms-message\r\nContent-Length: 30000\r\n\r\n',
  everyMs: 3000,
});
// 100 connections from peer A's address dribbling NOOP every second.
const smtp = new SlowClients({ port: ready.mm4, localAddress: '127.0.0.2', count: 100, opening: 'EHLO flood\r\n', after: /^220 /m, drip: 'NOOP\r\n', whole: true, everyMs: 1000 });
const started = Date.now();
await http.start();
await smtp.start();

let n = 0;
async function sendOne(): Promise<{ ms: number; status: string }> {
  const t0 = performance.now();
  const pdu = encodePdu({
    messageType: 'm-send-req',
    transactionId: `bench-${++n}`,
    mmsVersion: '1.2',
    from: { address: '', insertAddress: true },
    to: [{ address: '+15550000002', type: 'PLMN' }],
    body: { contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} }, parts: [{ contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, headers: {}, data: Buffer.from('hello') }] },
  } as Parameters<typeof encodePdu>[0]);
  try {
    const res = await fetch(`${ready.mm1}/mms`, { method: 'POST', headers: { 'content-type': 'application/vnd.wap.mms-message', 'x-wap-network-client-msisdn': '+15550000001' }, body: pdu, signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return { ms: performance.now() - t0, status: String(res.status) };
  } catch (error) {
    return { ms: performance.now() - t0, status: (error as Error).name };
  }
}
async function peerC(): Promise<string> {
  const raw = [`From: +16660000009/TYPE=PLMN@${PEER_C}`, `To: +15550000003/TYPE=PLMN@${OURS}`, 'X-Mms-3GPP-MMS-Version: 6.3.0', 'X-Mms-Message-Type: MM4_forward.REQ', `X-Mms-Transaction-ID: b-${n}`, `X-Mms-Message-ID: b-${n}@${PEER_C}`, `X-Mms-Originator-System: system-user@${PEER_C}`, 'Content-Type: text/plain', '', 'hi', ''].join('\r\n');
  try {
    const x = await sendSmtp({ port: ready.mm4, localAddress: '127.0.0.3', mailFrom: `system-user@${PEER_C}`, rcptTo: [`+15550000003/TYPE=PLMN@${OURS}`], data: raw });
    return x.data.slice(0, 40);
  } catch (error) {
    return (error as Error).message.slice(0, 40);
  }
}

console.log(`server descriptors at start: ${fdsAtStart}`);
console.log('t (s) | MM1 crowd open | MM4 crowd open | server fds | m-send-conf (ms, status) | peer C over MM4');
for (let t = 0; t <= duration; t += every) {
  const wait = started + t - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const [mm1, mm4] = await Promise.all([sendOne(), peerC()]);
  console.log(`${Math.round((Date.now() - started) / 1000)} | ${http.stillOpen} | ${smtp.stillOpen} | ${fds()} | ${Math.round(mm1.ms)} ${mm1.status} | ${mm4}`);
}
http.stop();
smtp.stop();
child.send({ type: 'stop' });
await new Promise((r) => child.on('exit', r));
