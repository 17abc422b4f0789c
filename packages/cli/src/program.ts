import { Command } from 'commander';
import { ConfigError } from '@openmmsc/core';
import { checkCommand } from './commands/check.js';
import { startCommand } from './commands/start.js';
import { registerCodecCommands } from './commands/codec.js';
import { registerVaspCommands } from './commands/vasp.js';
import { processOutput, type Output } from './output.js';

export function buildProgram(out: Output, setExit: (code: number) => void): Command {
  const program = new Command()
    .name('openmmsc')
    .description('OpenMMSC: a plugin-driven MMSC')
    .version('0.1.0')
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => out.print(s), writeErr: (s) => process.stderr.write(s) });

  program
    .command('start')
    .description('start an MMSC from a config file (YAML or JSON); SIGTERM drains and stops it')
    .argument('<config>', 'config file')
    .action(async (config: string) => {
      const handle = await startCommand(config, out);
      await handle.stopped;
    });

  program
    .command('check')
    .description('validate a config file with the kernel and every plugin schema; print it resolved with secrets masked; warn about what cannot work')
    .argument('<config>', 'config file')
    .option('--json', 'print JSON instead of YAML')
    .option('--strict', 'exit with 3 when there are warnings')
    .action(async (config: string, opts: { json?: boolean; strict?: boolean }) => {
      const warnings = await checkCommand(config, out, opts.json ? 'json' : 'yaml');
      if (opts.strict && warnings.length) setExit(3);
    });

  registerCodecCommands(program, out, setExit);
  registerVaspCommands(program, out, setExit);
  return program;
}

/** Runs the CLI; returns the process exit code. */
export async function main(argv: readonly string[], out: Output = processOutput): Promise<number> {
  let code = 0;
  const program = buildProgram(out, (c) => {
    code = c;
  });
  program.exitOverride();
  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    const e = error as { code?: string; exitCode?: number; message: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    if (e.code?.startsWith('commander.')) return e.exitCode ?? 2;
    if (error instanceof ConfigError) {
      out.error(error.message);
      return 1;
    }
    out.error(e.message);
    return 1;
  }
  return code;
}
