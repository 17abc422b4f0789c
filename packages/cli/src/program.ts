import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, pluginIdentity } from '@openmmsc/core';
import { checkCommand } from './commands/check.js';
import { startCommand } from './commands/start.js';
import { registerCodecCommands } from './commands/codec.js';
import { registerVaspCommands } from './commands/vasp.js';
import { processOutput, type Output } from './output.js';
import { UsageError } from './usage.js';

export function buildProgram(out: Output, setExit: (code: number) => void): Command {
  // exitOverride before the commands are added: subcommands inherit it, so their usage errors
  // reach main() (exit code 2) instead of commander calling process.exit(1) itself.
  const program = new Command()
    .name('openmmsc')
    .description('OpenMMSC: a plugin-driven MMSC')
    // The version published with this package, read as plugins read theirs: it cannot drift.
    .version(pluginIdentity(import.meta.url).version)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.print(s), writeErr: (s) => process.stderr.write(s) });

  program
    .command('start')
    .description('start an MMSC from a config file (YAML or JSON); SIGTERM drains and stops it')
    .argument('<config>', 'config file')
    .option('--workers <n>', 'worker processes (a number or auto: one per core); overrides node.workers', (value: string) => {
      if (value === 'auto') return value;
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number from 1, or auto');
      return n;
    })
    .action(async (config: string, opts: { workers?: number | 'auto' }) => {
      const handle = await startCommand(config, out, opts.workers);
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

/**
 * Runs the CLI; returns the process exit code: 0 ok, 1 invalid input or config, 2 usage error
 * (unknown command or option, missing or extra argument, bad option value, no command given).
 */
export async function main(argv: readonly string[], out: Output = processOutput): Promise<number> {
  let code = 0;
  const program = buildProgram(out, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    const e = error as { code?: string; exitCode?: number; message: string };
    // --help, --version and `help` exit 0; commander has already printed the usage problem.
    if (e.code?.startsWith('commander.')) return e.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      out.error(`${error.message} (see --help)`);
      return 2;
    }
    if (error instanceof ConfigError) {
      out.error(error.message);
      return 1;
    }
    out.error(e.message);
    return 1;
  }
  return code;
}
