/**
 * Runs ../shared/tools/tshark-mmse.sh (Wireshark's MMSE / WSP / GSM SMS dissectors) on bytes we
 * wrote and returns what it decoded. tshark's JSON repeats keys; this parser keeps every value.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TSHARK_SCRIPT = fileURLToPath(new URL('../../../../shared/tools/tshark-mmse.sh', import.meta.url));

export function tsharkAvailable(): boolean {
  return spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Why the tshark tests cannot run, or undefined if they can. Skipped only with OPENMMSC_SKIP_TSHARK=1. */
export function tsharkMissing(): string | undefined {
  if (tsharkAvailable()) return undefined;
  return (
    'tshark is not installed: the Wireshark cross-checks cannot run. Install it ' +
    '(apt-get install tshark; .ci/run does) or set OPENMMSC_SKIP_TSHARK=1 to skip these tests.'
  );
}

export type Node = { [key: string]: (string | Node)[] };

/** Parses JSON keeping repeated keys: every object maps a key to the list of its values. */
export function parseMultiJson(text: string): unknown {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    let out = '';
    while (text[i] !== '"') {
      if (text[i] === '\\') {
        const end = i + (text[i + 1] === 'u' ? 6 : 2);
        out += JSON.parse(`"${text.slice(i, end)}"`) as string;
        i = end;
      } else out += text[i++];
      if (i >= text.length) throw new Error(`unterminated string at ${start}`);
    }
    i++;
    return out;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const o: Node = {};
      ws();
      if (text[i] === '}') {
        i++;
        return o;
      }
      for (;;) {
        ws();
        const k = str();
        ws();
        i++; // :
        const v = value() as string | Node;
        (o[k] ??= []).push(v);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        i++; // }
        return o;
      }
    }
    if (c === '[') {
      i++;
      const a: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return a;
      }
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        i++;
        return a;
      }
    }
    if (c === '"') return str();
    const m = /^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(i, i + 40));
    if (!m) throw new Error(`bad JSON at ${i}`);
    i += m[0].length;
    return JSON.parse(m[0]);
  };
  return value();
}

/** Dissects each buffer (one frame each) and returns the `layers` node of each packet. */
export function dissect(mode: 'mmse' | 'http' | 'push' | 'sms', inputs: Uint8Array[]): Node[] {
  const dir = mkdtempSync(join(tmpdir(), 'tshark-'));
  try {
    const files = inputs.map((b, n) => {
      const f = join(dir, `${String(n).padStart(4, '0')}.bin`);
      writeFileSync(f, b);
      return f;
    });
    const r = spawnSync('bash', [TSHARK_SCRIPT, '-m', mode, '-f', 'json', ...files], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`tshark-mmse.sh failed (${r.status}): ${r.stderr}`);
    const packets = parseMultiJson(r.stdout) as Node[];
    return packets.map((p) => ((p._source![0] as Node).layers![0] as Node));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every value of `key` anywhere under node, in document order. */
export function all(node: Node | string, key: string): string[] {
  const out: string[] = [];
  const walk = (n: Node | string): void => {
    if (typeof n === 'string') return;
    for (const [k, vs] of Object.entries(n)) {
      for (const v of vs) {
        if (k === key && typeof v === 'string') out.push(v);
        walk(v);
      }
    }
  };
  walk(node);
  return out;
}

/** True if Wireshark flagged anything as malformed. */
export function malformed(node: Node): boolean {
  return JSON.stringify(node).includes('_ws.malformed');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A date as tshark prints an absolute time with TZ=UTC: `Mar  1, 2024 12:00:00.000000000 UTC`. */
export function tsharkDate(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')}, ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(
    d.getUTCMinutes(),
  )}:${p(d.getUTCSeconds())}.000000000 UTC`;
}
