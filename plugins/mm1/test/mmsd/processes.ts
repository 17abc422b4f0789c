import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The Python that has python3-dbusmock (Debian's, not a pyenv one first on PATH). */
export { DEBIAN_PYTHON as SYSTEM_PYTHON } from '@openmmsc/testkit/system';

/** Children still running: killed if the test process exits without stopping them (a crash, a timeout). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

/** A child process this harness started, with what it printed (for failure messages). */
export class Child {
  readonly output: string[] = [];
  constructor(
    readonly name: string,
    readonly process: ChildProcess,
    onStdout?: (line: string) => void,
  ) {
    running.add(process);
    process.once('exit', () => running.delete(process));
    for (const stream of [process.stdout, process.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        this.output.push(line);
        if (this.output.length > 4000) this.output.splice(0, 1000);
        if (stream === process.stdout) onStdout?.(line);
      });
    }
  }

  tail(lines = 40): string {
    return `--- last ${lines} lines of ${this.name} ---\n${this.output.slice(-lines).join('\n')}`;
  }

  /** Ends the process (SIGTERM, then SIGKILL after 2 s) and waits for it. */
  async stop(): Promise<void> {
    const p = this.process;
    if (p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((ok) => p.once('exit', () => ok()));
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * A private message bus (dbus-daemon) listening on a socket in `dir`, without service
 * activation; resolves with its address once it prints it.
 */
export async function startBus(dir: string, name: string): Promise<{ child: Child; address: string }> {
  const config = join(dir, `${name}-bus.conf`);
  await writeFile(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=${dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`,
  );
  const proc = spawn('dbus-daemon', [`--config-file=${config}`, '--nofork', '--print-address=1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let printed: (line: string) => void = () => undefined;
  const child = new Child(`dbus-daemon (${name})`, proc, (line) => printed(line));
  const address = await new Promise<string>((ok, fail) => {
    printed = (line) => ok(line.trim());
    proc.once('exit', (code) => fail(new Error(`dbus-daemon exited with ${code}\n${child.tail()}`)));
    proc.once('error', fail);
  });
  return { child, address };
}

/** Spawns a process whose output is kept; fails fast when it cannot be started. */
export function startChild(name: string, command: string, args: string[], opts: { env: NodeJS.ProcessEnv; stdin?: 'ignore' | 'pipe'; onStdout?: (line: string) => void }): Child {
  const proc = spawn(command, args, { env: opts.env, stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'] });
  const child = new Child(name, proc, opts.onStdout);
  proc.on('error', (error) => child.output.push(`could not start ${command}: ${error.message}`));
  return child;
}
