// Prints the heaviest functions of a V8 CPU profile (self time, and total time for frames in
// the repository's own code), as shares of the busy (non-idle) samples: node bench/mm7/top-profile.ts FILE.cpuprofile [N]
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const [file, n = '25'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file!, 'utf8')) as { nodes: Node[]; samples: number[] };
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
const hits = new Map<number, number>();
for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
const idleIds = new Set(profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((node) => node.id));
// Shares are of the samples in which the process was busy (idle time depends on the load, not the code).
const total = profile.samples.filter((s) => !idleIds.has(s)).length;
const name = (node: Node) => {
  const url = node.callFrame.url.replace(/^.*\/(node_modules\/\.pnpm\/[^/]+\/node_modules\/|packages\/|plugins\/)/, '');
  return `${node.callFrame.functionName || '(anonymous)'} ${url}:${node.callFrame.lineNumber + 1}`;
};
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, count] of hits) {
  if (idleIds.has(id)) continue;
  const node = byId.get(id)!;
  self.set(name(node), (self.get(name(node)) ?? 0) + count);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const key = name(byId.get(at)!);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + count);
  }
}
const show = (title: string, map: Map<string, number>, filter: (k: string) => boolean = () => true) => {
  console.log(`\n${title} (% of ${total} busy samples)`);
  for (const [k, v] of [...map].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
};
show('self', self);
show('total, own code', inclusive, (k) => /\/src\//.test(k) && !k.includes('node_modules'));
