// The operator console's cost, measured as CPU time (less at the mercy of other load on a shared
// machine than throughput): an MMSC on embedded SQLite with the console off, on and idle, and on
// with a page open (the traffic and links pages re-read every second, a search every five).
// A: CPU the idle node spends per second. B: CPU per message for a burst of submissions through
// the kernel (routed local, notified through a push bearer that answers at once), and msg/s.
// Run: node --import tsx --conditions=@openmmsc/source bench/console/cost.ts [--rounds 2] [--messages 3000]
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import consolePlugin, { hashPassword } from '@openmmsc/plugin-console';
import { buildMessage, recordingPushBearer, routeAllTo, startTestMmsc, type TestMmsc } from '@openmmsc/testkit';

const { values: opt } = parseArgs({ options: { rounds: { type: 'string', default: '2' }, messages: { type: 'string', default: '3000' }, idle: { type: 'string', default: '15' } } });
const ROUNDS = Number(opt.rounds);
const MESSAGES = Number(opt.messages);
const IDLE_S = Number(opt.idle);
type Mode = 'off' | 'idle' | 'open';
const PASSWORD = 'bench-console-password';
const hash = await hashPassword(PASSWORD);

async function start(mode: Mode): Promise<{ t: TestMmsc; stopPage: () => void }> {
  const plugins = [routeAllTo('local'), recordingPushBearer().plugin, ...(mode === 'off' ? [] : [{ plugin: consolePlugin, options: { accounts: [{ user: 'bench', role: 'admin' as const, passwordHash: hash }] } }])];
  const t = await startTestMmsc({ plugins, config: { limits: { senders: { enabled: false } } } });
  if (mode !== 'open') return { t, stopPage: () => {} };
  const base = `${t.mmsc.adminUrl}/console`;
  const res = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'bench', password: PASSWORD }) });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const get = (p: string) => fetch(`${base}${p}`, { headers: { cookie } }).then((r) => r.arrayBuffer());
  let n = 0;
  const timer = setInterval(() => void Promise.all([get('/api/traffic?range=hour'), get('/links/fragment'), ++n % 5 === 0 ? get('/api/messages?address=%2B15550000002') : undefined]).catch(() => undefined), 1000);
  return { t, stopPage: () => clearInterval(timer) };
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

const results: Record<Mode, { idle: number[]; perMsg: number[]; rate: number[] }> = { off: { idle: [], perMsg: [], rate: [] }, idle: { idle: [], perMsg: [], rate: [] }, open: { idle: [], perMsg: [], rate: [] } };
for (let round = 1; round <= ROUNDS; round++) {
  for (const mode of ['off', 'idle', 'open'] as const) {
    const { t, stopPage } = await start(mode);
    await sleep(1000);
    let c0 = process.cpuUsage();
    await sleep(IDLE_S * 1000);
    results[mode].idle.push(cpuMs(c0) / IDLE_S);
    c0 = process.cpuUsage();
    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < MESSAGES) {
        const i = next++;
        await t.mmsc.submit({ message: buildMessage({ from: '+15550000001', to: `+1555${String(2_000_000 + (i % 500))}` }), origin: { interface: 'mm1' } });
      }
    }));
    const secs = (performance.now() - t0) / 1000;
    results[mode].perMsg.push((cpuMs(c0) * 1000) / MESSAGES);
    results[mode].rate.push(MESSAGES / secs);
    stopPage();
    await t.stop();
    process.stderr.write(`round ${round} ${mode}: idle ${results[mode].idle.at(-1)!.toFixed(1)} CPU ms/s, ${results[mode].perMsg.at(-1)!.toFixed(0)} µs/msg, ${results[mode].rate.at(-1)!.toFixed(0)} msg/s\n`);
  }
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const base = median(results.off.perMsg);
process.stdout.write('console | idle node CPU ms/s | CPU µs per message | vs off | msg/s (median)\n--- | --- | --- | --- | ---\n');
for (const mode of ['off', 'idle', 'open'] as const) {
  const r = results[mode];
  process.stdout.write(`${mode} | ${median(r.idle).toFixed(1)} | ${median(r.perMsg).toFixed(0)} | ${mode === 'off' ? '—' : `${(((median(r.perMsg) - base) / base) * 100).toFixed(1)}%`} | ${median(r.rate).toFixed(0)}\n`);
}
process.exit(0);
