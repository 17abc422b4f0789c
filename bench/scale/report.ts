// What bench/scale prints: each phase's figures, then the phases side by side with the ratio to
// one node and the shared Redis's cost per complete message.
import type { RedisCost } from './redis-info.js';

export interface PhaseResult {
  nodes: number;
  accepted: number;
  completed: number;
  drained: boolean;
  acceptedPerSec: number;
  completedPerSec: number;
  p50: number;
  p99: number;
  refused: number;
  errors: number;
  /** From the start of the closed loop to the last completion. */
  wallSecs: number;
  nodeCpuUs: number[];
  /** With no traffic: the nodes' CPU (µs per second, all nodes) and Redis's (s per second). */
  idleNodeCpuPerSec: number;
  idleRedisCpuPerSec: number;
  nodeRssMb: number[];
  loadCpuUs: number;
  /** The Redis of the store (and of the queue, unless `queueRedis`). */
  redis: RedisCost;
  /** With --split-queue: the job queue's own Redis. */
  queueRedis?: RedisCost;
  storedBytesPerMessage: number;
  storedNotified: number;
  redisVersion: string;
  aof: string;
}

const out = (s = '') => process.stdout.write(`${s}\n`);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** Per complete message. */
export function perMessage(r: PhaseResult) {
  const n = Math.max(1, r.completed);
  const q = r.queueRedis;
  const both = (f: (c: RedisCost) => number) => f(r.redis) + (q ? f(q) : 0);
  return {
    nodeCpuUs: r.nodeCpuUs.reduce((a, b) => a + b, 0) / n,
    // What grows with messages: the total less what the same time idle would have cost.
    nodeMarginalUs: (r.nodeCpuUs.reduce((a, b) => a + b, 0) - r.idleNodeCpuPerSec * r.wallSecs) / n,
    redisMarginalUs: ((both((c) => c.cpuSeconds) - r.idleRedisCpuPerSec * r.wallSecs) * 1e6) / n,
    loadCpuUs: r.loadCpuUs / n,
    commands: both((c) => c.commands) / n,
    inBytes: both((c) => c.netInBytes) / n,
    outBytes: both((c) => c.netOutBytes) / n,
    redisCpuUs: (both((c) => c.cpuSeconds) * 1e6) / n,
    memoryLeftBytes: both((c) => c.usedMemoryBytes) / n,
    aofBytes: both((c) => c.aofBytes) / n,
  };
}

export function printPhase(r: PhaseResult, size: number): void {
  const m = perMessage(r);
  const q = r.queueRedis;
  const line = (k: string, v: string) => out(`${k.padEnd(46)} ${v}`);
  out();
  out(`== ${r.nodes} MMSC node(s) on one Redis ${r.redisVersion} (${r.aof}); ${size}-byte messages, 1 recipient ==`);
  line('accepted m-send-req/s', r.acceptedPerSec.toFixed(0));
  line('complete messages/s', `${r.completedPerSec.toFixed(0)}  (${r.completed}/${r.accepted} in ${r.wallSecs.toFixed(1)} s${r.drained ? '' : ', NOT all completed'})`);
  line('m-send-conf p50 / p99', `${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} ms`);
  line('node CPU per complete message (all nodes)', `${m.nodeCpuUs.toFixed(0)} µs  (per node: ${r.nodeCpuUs.map((c) => `${(c / Math.max(1, r.completed)).toFixed(0)}`).join(' + ')} µs)`);
  line('  of which grows with messages (less idle)', `${m.nodeMarginalUs.toFixed(0)} µs  (idle: ${(r.idleNodeCpuPerSec / 1000).toFixed(1)} ms of CPU per second, all nodes)`);
  line('node cores busy (CPU s / wall s)', r.nodeCpuUs.map((c) => (c / 1e6 / r.wallSecs).toFixed(2)).join(' + '));
  line('load process CPU per complete message', `${m.loadCpuUs.toFixed(0)} µs`);
  line('Redis commands per complete message', `${m.commands.toFixed(1)}  (${q ? 'store server: ' : ''}${r.redis.topCommands.map(([c, d]) => `${c} ${(d / Math.max(1, r.completed)).toFixed(1)}`).join(', ')})`);
  line('Redis bytes in / out per complete message', `${kb(m.inBytes)} / ${kb(m.outBytes)}`);
  line('Redis CPU per complete message', `${m.redisCpuUs.toFixed(0)} µs  (${((m.redisCpuUs * r.completed) / 1e6 / r.wallSecs).toFixed(2)} of a core at this rate)`);
  line('  of which grows with messages (less idle)', `${m.redisMarginalUs.toFixed(0)} µs  (idle: ${(r.idleRedisCpuPerSec * 1000).toFixed(1)} ms of CPU per second)`);
  line('Redis AOF growth per complete message', kb(m.aofBytes));
  line('Redis memory left per complete message', `${kb(m.memoryLeftBytes)}  (retrieved messages kept for expiry.retention)`);
  line('Redis memory per message waiting for retrieval', `${kb(r.storedBytesPerMessage)}  (${r.storedNotified} notified, none fetched)`);
  if (q) {
    const n = Math.max(1, r.completed);
    line('  the store\'s Redis alone: commands / CPU', `${(r.redis.commands / n).toFixed(1)} / ${((r.redis.cpuSeconds * 1e6) / n).toFixed(0)} µs per message`);
    line('  the queue\'s Redis alone: commands / CPU', `${(q.commands / n).toFixed(1)} / ${((q.cpuSeconds * 1e6) / n).toFixed(0)} µs per message (${q.topCommands.map(([c, d]) => `${c} ${(d / n).toFixed(1)}`).join(', ')})`);
    line('  the queue\'s Redis alone: bytes in / out, AOF', `${kb(q.netInBytes / n)} / ${kb(q.netOutBytes / n)}, ${kb(q.aofBytes / n)} per message`);
  }
  line('peak RSS per node', r.nodeRssMb.map((x) => `${x.toFixed(0)} MB`).join(', '));
  line('refused / handset errors', `${r.refused} / ${r.errors}`);
}

export function printTable(results: PhaseResult[], ctx: { cores: number; size: number; persistence: string; loadavg: number[] }): void {
  const base = results[0];
  if (!base) return;
  out();
  out(`== the same run with 1…${results.length} nodes (${ctx.cores} cores shared by the nodes, Redis and the load; appendfsync ${ctx.persistence}) ==`);
  out('nodes | complete msg/s | × 1 node | conf p99  | node CPU/msg (marginal) | Redis cmds/msg | Redis in / out per msg | Redis CPU/msg (marginal) | AOF/msg  | stored msg');
  for (const r of results) {
    const m = perMessage(r);
    out(
      `${String(r.nodes).padEnd(5)} | ${r.completedPerSec.toFixed(0).padEnd(14)} | ${(r.completedPerSec / base.completedPerSec).toFixed(2).padEnd(8)} | ` +
        `${`${r.p99.toFixed(0)} ms`.padEnd(9)} | ${`${m.nodeCpuUs.toFixed(0)} (${m.nodeMarginalUs.toFixed(0)}) µs`.padEnd(23)} | ${m.commands.toFixed(1).padEnd(14)} | ` +
        `${`${kb(m.inBytes)} / ${kb(m.outBytes)}`.padEnd(22)} | ${`${m.redisCpuUs.toFixed(0)} (${m.redisMarginalUs.toFixed(0)}) µs`.padEnd(24)} | ${kb(m.aofBytes).padEnd(8)} | ${kb(r.storedBytesPerMessage)}`,
    );
  }
  out(`load average at the end: ${ctx.loadavg.map((x) => x.toFixed(1)).join(' ')}`);
}
