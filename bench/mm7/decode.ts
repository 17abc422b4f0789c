// CPU time of decoding the headline SubmitReq (≈50 KB, a 36 KB JPEG as base64) with decodeMm7,
// in this process, no HTTP: the MM7 share of the MMSC's work, measured in CPU time so that a
// busy machine changes it less than it changes a rate.
// Run: node --import tsx --conditions=@openmmsc/source bench/mm7/decode.ts [--iterations 4000] [--profile FILE]
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { RELEASES, decodeMm7, encodeMm7, guessAddress, type SubmitReq } from '@openmmsc/mm7';
import { jpeg } from './load.js';

const { values: args } = parseArgs({ options: { iterations: { type: 'string', default: '4000' }, profile: { type: 'string' } } });
const n = Number(args.iterations);
const body: SubmitReq = {
  type: 'SubmitReq',
  senderIdentification: { vaspId: 'bench', senderAddress: guessAddress('12345') },
  recipients: { to: [guessAddress('+15551234567')], cc: [], bcc: [] },
  subject: 'bench',
  earliestDeliveryTime: 'PT1H',
};
const payload = encodeMm7({ release: RELEASES['REL-6-MM7-1-4'], transactionId: 'b1', body }, { parts: [jpeg(36 * 1024)], transferEncoding: 'base64' });
for (let i = 0; i < Math.min(1000, n); i++) decodeMm7(payload.contentType, payload.body);
const session = args.profile ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const cpu = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < n; i++) decodeMm7(payload.contentType, payload.body);
const wall = ((performance.now() - t0) * 1000) / n;
const used = process.cpuUsage(cpu);
if (session && args.profile) writeFileSync(args.profile, JSON.stringify((await session.post('Profiler.stop')).profile));
console.log(`decodeMm7 of a ${payload.body.length}-byte SubmitReq: ${((used.user + used.system) / n).toFixed(1)} µs CPU, ${wall.toFixed(1)} µs wall (${n} iterations)`);
