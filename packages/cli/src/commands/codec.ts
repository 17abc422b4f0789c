import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { Output } from '../output.js';
import { UsageError } from '../usage.js';
import { readSource } from './decode-input.js';

// The codec loads only when a codec command runs, keeping `start` and `check` lean.

interface DecodeCommandOptions {
  mms?: boolean;
  push?: boolean;
  sms?: boolean;
  smsc?: boolean;
  lenient?: boolean;
  strict?: boolean;
  compact?: boolean;
}

/** `openmmsc decode` / `openmmsc encode`: MMS PDUs (and the WAP Push and SMS around them) to JSON and back. */
export function registerCodecCommands(program: Command, out: Output, setExit: (code: number) => void): void {
  program
    .command('decode')
    .description(
      'decode an MMS PDU, a WAP Push or SMS TPDUs (binary or hex; the kind is detected) and print it as JSON, ' +
        'down to the MMS PDU inside; truncated or corrupt input is an error (exit 1) naming the problem and its offset',
    )
    .argument('<file...>', 'input file, or - for standard input; several files (or lines of hex) are the segments of one SMS')
    .addOption(new Option('--mms', 'the input is an MMS PDU').conflicts(['push', 'sms']))
    .addOption(new Option('--push', 'the input is a connectionless WSP (WAP) Push PDU').conflicts(['mms', 'sms']))
    .addOption(new Option('--sms', 'the input is SMS TPDUs (SMS-DELIVER or SMS-SUBMIT), one per file or hex line').conflicts(['mms', 'push']))
    .option('--smsc', 'each SMS TPDU starts with the SMSC address (AT+CMGR style); tried both ways when not given')
    .addOption(new Option('--lenient', 'show what can be salvaged from truncated or corrupt input (the problems go to stderr as warnings)').conflicts('strict'))
    .option('--strict', 'also refuse what handsets commonly get wrong (accepted with a warning by default)')
    .option('--compact', 'one line of JSON')
    .action(async (files: string[], opts: DecodeCommandOptions) => {
      if (files.filter((f) => f === '-').length > 1) throw new UsageError('standard input (-) can be read once');
      const { readInputs } = await import('./decode-input.js');
      const { decodeInputs, LayerError } = await import('./decode-layers.js');
      const inputs = await readInputs(files);
      const kind = opts.mms ? 'mms' : opts.push ? 'push' : opts.sms ? 'sms' : undefined;
      const where = inputs.length === 1 ? inputs[0]!.name : inputs.map((i) => i.name).join(', ');
      try {
        const decoded = decodeInputs(inputs, {
          ...(kind ? { kind } : {}),
          ...(opts.smsc ? { smsc: true } : {}),
          salvage: opts.lenient === true,
          strict: opts.strict === true,
        });
        for (const w of decoded.warnings) out.info(`warning: ${where}: ${w}`);
        out.print(JSON.stringify(decoded.json, null, opts.compact ? 0 : 2));
      } catch (error) {
        if (!(error instanceof LayerError)) throw error;
        out.error(`${where}: ${error.message}`);
        setExit(1);
      }
    });

  program
    .command('encode')
    .description('encode a PDU given as JSON (as printed by decode; file, inline JSON, or - for stdin) to binary')
    .argument('<json>', 'JSON file, inline JSON text, or - for standard input')
    .option('-o, --output <file>', 'write the PDU here instead of standard output')
    .action(async (input: string, opts: { output?: string }) => {
      const { encodePdu, pduFromJson } = await import('@openmmsc/codec');
      const text = input.trimStart().startsWith('{') ? input : (await readSource(input)).toString('utf8');
      const pdu = encodePdu(pduFromJson(JSON.parse(text) as unknown));
      if (opts.output) await writeFile(opts.output, pdu);
      else process.stdout.write(pdu);
    });
}
