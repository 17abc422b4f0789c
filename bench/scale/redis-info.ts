// What the shared Redis spent between two moments, from `INFO everything`: commands (per
// command, from commandstats), network bytes, CPU, memory and AOF growth.
import { createConnection } from 'node:net';

export type RedisInfo = Map<string, string>;

/** `INFO everything` over a plain socket (the bench's own reads stay out of the MMSC's clients). */
export function readInfo(port: number, timeoutMs = 5000): Promise<RedisInfo> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('INFO timed out')));
    socket.once('error', reject);
    socket.once('connect', () => socket.write('INFO everything\r\n'));
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      const all = Buffer.concat(chunks);
      const nl = all.indexOf('\r\n');
      if (nl < 0) return;
      if (all[0] !== 0x24 /* $ */) return void socket.destroy(new Error(`INFO answered ${all.subarray(0, nl).toString()}`));
      const length = Number(all.subarray(1, nl).toString());
      if (all.length < nl + 2 + length) return;
      socket.destroy();
      const info: RedisInfo = new Map();
      for (const line of all.subarray(nl + 2, nl + 2 + length).toString().split('\r\n')) {
        const at = line.indexOf(':');
        if (at > 0 && !line.startsWith('#')) info.set(line.slice(0, at), line.slice(at + 1));
      }
      resolve(info);
    });
  });
}

/** Calls per command (`cmdstat_<name>:calls=…`), without the bench's own INFO. */
export function commandCalls(info: RedisInfo): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of info) {
    if (!key.startsWith('cmdstat_') || key === 'cmdstat_info') continue;
    const calls = /(?:^|,)calls=(\d+)/.exec(value);
    if (calls) out.set(key.slice('cmdstat_'.length), Number(calls[1]));
  }
  return out;
}

const num = (info: RedisInfo, key: string): number => Number(info.get(key) ?? 0);

export interface RedisCost {
  commands: number;
  /** Largest command counts, most first. */
  topCommands: Array<[string, number]>;
  netInBytes: number;
  netOutBytes: number;
  cpuSeconds: number;
  usedMemoryBytes: number;
  aofBytes: number;
}

/** What Redis spent from `before` to `after`. */
export function redisCost(before: RedisInfo, after: RedisInfo): RedisCost {
  const b = commandCalls(before);
  const deltas = [...commandCalls(after)].map(([name, calls]) => [name, calls - (b.get(name) ?? 0)] as [string, number]).filter(([, d]) => d > 0);
  deltas.sort((x, y) => y[1] - x[1]);
  const cpu = (i: RedisInfo) => num(i, 'used_cpu_sys') + num(i, 'used_cpu_user');
  return {
    commands: deltas.reduce((a, [, d]) => a + d, 0),
    topCommands: deltas.slice(0, 8),
    netInBytes: num(after, 'total_net_input_bytes') - num(before, 'total_net_input_bytes'),
    netOutBytes: num(after, 'total_net_output_bytes') - num(before, 'total_net_output_bytes'),
    cpuSeconds: cpu(after) - cpu(before),
    usedMemoryBytes: num(after, 'used_memory') - num(before, 'used_memory'),
    aofBytes: num(after, 'aof_current_size') - num(before, 'aof_current_size'),
  };
}
