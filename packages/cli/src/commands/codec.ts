import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Output } from '../output.js';

async function readInput(source: string): Promise<Buffer> {
  if (source !== '-') return readFile(source);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// The codec loads only when a codec command runs, keeping `start` and `check` lean.

/** `openmmsc decode` / `openmmsc encode`: MMS PDUs to JSON and back. */
export function registerCodecCommands(program: Command, out: Output, setExit: (code: number) => void): void {
  program
    .command('decode')
    .description('decode a binary MMS PDU (file or - for stdin) and print it as JSON')
    .argument('<file>', 'PDU file, or - for standard input')
    .option('--compact', 'one line of JSON')
    .action(async (file: string, opts: { compact?: boolean }) => {
      const { MmsDecodeError, decodePdu, pduToJson } = await import('@openmmsc/codec');
      const bytes = await readInput(file);
      try {
        const json = pduToJson(decodePdu(bytes));
        out.print(JSON.stringify(json, null, opts.compact ? 0 : 2));
      } catch (error) {
        if (!(error instanceof MmsDecodeError)) throw error;
        out.error(`${file}: ${error.message}`);
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
      const text = input.trimStart().startsWith('{') ? input : (await readInput(input)).toString('utf8');
      const pdu = encodePdu(pduFromJson(JSON.parse(text) as unknown));
      if (opts.output) await writeFile(opts.output, pdu);
      else process.stdout.write(pdu);
    });
}
