// Runs a real Kannel (Debian `kannel` + `kannel-extras`) on loopback for tests: bearerbox with a
// fake SMSC, wapbox with the PPG, and fakesmsc printing every SMS it is given. Ports are free ones,
// the config lives in a temporary directory, and every process is stopped by its PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemCommand, freePort } from '@openmmsc/testkit';

/** Kannel's programs (Debian: bearerbox and wapbox in /usr/sbin, fakesmsc in /usr/lib/kannel/test); throws the install line when missing. */
function kannelBinaries(): { bearerbox: string; wapbox: string; fakesmsc: string } {
  return {
    bearerbox: systemCommand('bearerbox', 'kannel'),
    wapbox: systemCommand('wapbox', 'kannel'),
    fakesmsc: systemCommand('fakesmsc', 'kannel'),
  };
}

/** One SMS fakesmsc printed. */
export interface FakeSms {
  sender: string;
  receiver: string;
  /** The UDH (with its length octet), when the SMS had one. */
  udh?: Buffer;
  data: Buffer;
  line: string;
}

export interface Kannel {
  papUrl: string;
  dir: string;
  received: FakeSms[];
  /** Waits until `n` SMS arrived at fakesmsc. */
  waitForSms(n: number, timeoutMs?: number): Promise<FakeSms[]>;
  logs(): Promise<string>;
  stop(): Promise<void>;
}

async function waitForPort(port: number, what: string, timeoutMs: number, alive: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = alive();
    if (dead) throw new Error(`${what} exited before listening: ${dead}`);
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on port ${port} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Kannel's url-encoding (octstr_url_encode): %XX escapes, `+` for a space. */
function urlDecode(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === '+') out.push(0x20);
    else out.push(c.charCodeAt(0) & 0xff);
  }
  return Buffer.from(out);
}

/** Parses fakesmsc's `Got message N: <sender receiver udh UDH [data] DATA>` lines. */
export function parseFakesmscLine(line: string): FakeSms | undefined {
  const m = /Got message \d+: <(.*)>\s*$/.exec(line);
  if (!m) return undefined;
  const tokens = m[1]!.split(' ');
  const [sender, receiver, type] = tokens;
  if (!sender || !receiver || !type) return undefined;
  if (type === 'udh') {
    const udh = urlDecode(tokens[3] ?? '');
    const data = urlDecode(tokens.at(-1) ?? '');
    return { sender, receiver, udh, data, line };
  }
  if (type === 'text') return { sender, receiver, data: Buffer.from(tokens.slice(3).join(' '), 'latin1'), line };
  return { sender, receiver, data: urlDecode(tokens.at(-1) ?? ''), line };
}

export async function startKannel(): Promise<Kannel> {
  const bin = kannelBinaries();
  const dir = await mkdtemp(join(tmpdir(), 'openmmsc-kannel-'));
  const [admin, wapboxPort, smsboxPort, smscPort, ppgPort, sendsmsPort] = (await Promise.all(Array.from({ length: 6 }, freePort))) as [number, number, number, number, number, number];
  const template = await readFile(new URL('./kannel-ppg.conf', import.meta.url), 'utf8');
  const conf = template
    .replaceAll('LOGDIR', dir)
    .replace('admin-port = 13000', `admin-port = ${admin}`)
    .replace('wapbox-port = 13002', `wapbox-port = ${wapboxPort}`)
    .replace('smsbox-port = 13001', `smsbox-port = ${smsboxPort}`)
    .replace('port = 10000', `port = ${smscPort}`)
    .replace('ppg-port = 18080', `ppg-port = ${ppgPort}`)
    .replace('sendsms-port = 13013', `sendsms-port = ${sendsmsPort}`);
  const confPath = join(dir, 'kannel.conf');
  await writeFile(confPath, conf);

  const procs: ChildProcess[] = [];
  const output = new Map<ChildProcess, string>();
  const start = (cmd: string, args: string[]) => {
    const p = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    output.set(p, '');
    const add = (d: Buffer) => output.set(p, (output.get(p) ?? '') + d.toString('latin1'));
    p.stdout?.on('data', add);
    p.stderr?.on('data', add);
    procs.push(p);
    return p;
  };
  const deadMessage = (p: ChildProcess) => (p.exitCode !== null || p.signalCode !== null ? `exit ${p.exitCode ?? p.signalCode}: ${(output.get(p) ?? '').slice(-2000)}` : undefined);

  const received: FakeSms[] = [];
  const stop = async () => {
    for (const p of [...procs].reverse()) {
      if (p.exitCode === null && p.signalCode === null && p.pid) {
        const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
        p.kill('SIGTERM');
        const killed = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
        if (!killed) {
          p.kill('SIGKILL');
          await exited;
        }
      }
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const bearerbox = start(bin.bearerbox, ['-v', '0', confPath]);
    await waitForPort(admin, 'bearerbox', 15_000, () => deadMessage(bearerbox));
    await waitForPort(wapboxPort, 'bearerbox (wapbox port)', 15_000, () => deadMessage(bearerbox));
    const wapbox = start(bin.wapbox, ['-v', '0', confPath]);
    await waitForPort(ppgPort, 'wapbox (PPG)', 15_000, () => deadMessage(wapbox));
    await waitForPort(smscPort, 'bearerbox (fake SMSC port)', 15_000, () => deadMessage(bearerbox));
    const fakesmsc = start(bin.fakesmsc, ['-H', '127.0.0.1', '-r', String(smscPort), '-i', '1', '-m', '0', '111 222 text hello']);
    let pending = '';
    const onData = (d: Buffer) => {
      pending += d.toString('latin1');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const sms = parseFakesmscLine(line);
        if (sms) received.push(sms);
      }
    };
    fakesmsc.stdout?.on('data', onData);
    fakesmsc.stderr?.on('data', onData);
    // bearerbox reports the fake SMSC online once fakesmsc connected.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const dead = deadMessage(fakesmsc) ?? deadMessage(bearerbox) ?? deadMessage(wapbox);
      if (dead) throw new Error(`a Kannel process exited: ${dead}`);
      const status = await fetch(`http://127.0.0.1:${admin}/status.txt?password=secret`).then((r) => r.text(), () => '');
      if (/FAKE.*online/.test(status)) break;
      if (Date.now() > deadline) throw new Error(`Kannel's fake SMSC did not come online: ${status}`);
      await sleep(200);
    }
  } catch (error) {
    const logs = [...output.values()].join('\n').slice(-4000);
    await stop();
    throw new Error(`${(error as Error).message}\n--- Kannel output ---\n${logs}`);
  }

  return {
    papUrl: `http://127.0.0.1:${ppgPort}/wappush`,
    dir,
    received,
    async waitForSms(n, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`fakesmsc got ${received.length} SMS, expected ${n}:\n${[...output.values()].join('\n').slice(-3000)}`);
        await sleep(50);
      }
      return received.slice(0, n);
    },
    async logs() {
      const files = ['bearerbox.log', 'wapbox.log'];
      const parts = await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8').catch(() => '')));
      return parts.join('\n');
    },
    stop,
  };
}
