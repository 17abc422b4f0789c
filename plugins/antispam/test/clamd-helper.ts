import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemCommand, freePort } from '@openmmsc/testkit';
import { ClamdClient } from '../src/clamd.js';

/** The EICAR anti-virus test file (68 bytes), assembled so this source file is not itself "infected". */
export const EICAR = Buffer.from(['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join(''));

export interface Clamd {
  port: number;
  stop(): Promise<void>;
}

/**
 * Runs our own clamd on a free loopback port with a throw-away database holding one local test
 * signature: an `.ndb` body signature matching the EICAR string anywhere in a stream. No
 * signature download (freshclam) is needed.
 */
export async function startClamd(): Promise<Clamd> {
  const bin = systemCommand('clamd', 'clamd');
  const dir = await mkdtemp(join(tmpdir(), 'openmmsc-clamd-'));
  const db = join(dir, 'db');
  await import('node:fs/promises').then((fs) => fs.mkdir(db));
  const marker = Buffer.from('EICAR-STANDARD-ANTIVIRUS-TEST-FILE').toString('hex');
  await writeFile(join(db, 'openmmsc-test.ndb'), `OpenMMSC.Test.EICAR:0:*:${marker}\n`);
  const port = await freePort();
  const conf = join(dir, 'clamd.conf');
  await writeFile(
    conf,
    [
      'Foreground yes',
      `DatabaseDirectory ${db}`,
      `TCPSocket ${port}`,
      'TCPAddr 127.0.0.1',
      `LogFile ${join(dir, 'clamd.log')}`,
      `TemporaryDirectory ${dir}`,
      'StreamMaxLength 25M',
      'Bytecode no',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(bin, ['--config-file', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new ClamdClient({ host: '127.0.0.1', port, timeoutMs: 1000, chunkSize: 65536 });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      const log = await import('node:fs/promises').then((fs) => fs.readFile(join(dir, 'clamd.log'), 'utf8').catch(() => ''));
      await rm(dir, { recursive: true, force: true });
      throw new Error(`clamd exited (${child.exitCode}): ${stderr}\n${log}`);
    }
    if (await client.ping().catch(() => false)) break;
    if (Date.now() > deadline) {
      if (child.pid) process.kill(child.pid, 'SIGKILL');
      throw new Error(`clamd did not answer PING within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    async stop() {
      if (child.exitCode === null && child.pid !== undefined) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(child.pid, 'SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
