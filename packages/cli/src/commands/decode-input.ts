import { readFile } from 'node:fs/promises';

/** One input of `openmmsc decode`: its octets, and its lines when it was hex text. */
export interface DecodeInput {
  name: string;
  bytes: Buffer;
  /** Hex text with several lines: one buffer per line (SMS segments, as AT+CMGR prints them). */
  lines?: Buffer[];
  hex: boolean;
}

async function readSource(source: string): Promise<Buffer> {
  if (source !== '-') return readFile(source);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const HEX_LINE = /^[0-9a-fA-F]+$/;

/**
 * Hex text (digits and whitespace only, an even number of digits per line) is read as hex; anything
 * else as binary. A binary PDU that is all hex digits would need a NUL-free run of ASCII digits and
 * letters a-f from its first octet to its last, which no MMS, push or SMS PDU is.
 */
export function parseInput(name: string, raw: Buffer): DecodeInput {
  const text = raw.toString('latin1');
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.replace(/\s+/g, ''))
    .filter((l) => l.length > 0);
  const isHex = lines.length > 0 && lines.every((l) => HEX_LINE.test(l) && l.length % 2 === 0);
  if (!isHex) return { name, bytes: raw, hex: false };
  const parts = lines.map((l) => Buffer.from(l, 'hex'));
  const input: DecodeInput = { name, bytes: Buffer.concat(parts), hex: true };
  if (parts.length > 1) input.lines = parts;
  return input;
}

export async function readInputs(sources: readonly string[]): Promise<DecodeInput[]> {
  return Promise.all(sources.map(async (s) => parseInput(s === '-' ? 'stdin' : s, await readSource(s))));
}

export { readSource };
