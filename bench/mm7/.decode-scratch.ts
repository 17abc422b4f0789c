import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { RELEASES, decodeMm7, encodeMm7, guessAddress, type SubmitReq } from '@openmmsc/mm7';
import { jpeg } from './load.js';
const body: SubmitReq = { type: 'SubmitReq', senderIdentification: { vaspId: 'bench', senderAddress: guessAddress('12345') }, recipients: { to: [guessAddress('+15551234567')], cc: [], bcc: [] }, subject: 'bench', earliestDeliveryTime: 'PT1H' };
const p = encodeMm7({ release: RELEASES['REL-6-MM7-1-4'], transactionId: 'b1', body }, { parts: [jpeg(36 * 1024)], transferEncoding: 'base64' });
const N = Number(process.argv[2] ?? 5000);
for (let i = 0; i < 1000; i++) decodeMm7(p.contentType, p.body);
const s = new Session(); s.connect();
if (process.argv[3]) { await s.post('Profiler.enable'); await s.post('Profiler.start'); }
const c0 = process.cpuUsage(); const t0 = performance.now();
for (let i = 0; i < N; i++) decodeMm7(p.contentType, p.body);
const us = ((performance.now() - t0) * 1000) / N; const c = process.cpuUsage(c0); const cpu = (c.user + c.system) / N;
if (process.argv[3]) { const { profile } = await s.post('Profiler.stop'); writeFileSync(process.argv[3], JSON.stringify(profile)); }
console.log(`decodeMm7 of a ${p.body.length}-byte SubmitReq: ${us.toFixed(1)} µs wall, ${cpu.toFixed(1)} µs CPU`);
