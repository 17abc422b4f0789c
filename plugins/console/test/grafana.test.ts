import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = new URL('../../../', import.meta.url).pathname;

async function sources(dir: string, out: string[] = []): Promise<string[]> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name === 'test') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await sources(p, out);
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('the Grafana dashboard in docs/grafana', () => {
  it('queries only metrics the code registers, each panel with a query', async () => {
    const dashboard = JSON.parse(await readFile(join(root, 'docs/grafana/openmmsc-dashboard.json'), 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    const registered = new Set<string>();
    for (const dir of ['packages', 'plugins']) {
      for (const file of await sources(join(root, dir))) {
        for (const m of (await readFile(file, 'utf8')).matchAll(/name: '(openmmsc_[a-z0-9_]+)'/g)) registered.add(m[1]!);
      }
    }
    // Gauges made by a helper name their metric as its first argument.
    for (const dir of ['plugins/push-smpp/src', 'packages/core/src/kernel']) for (const file of await sources(join(root, dir))) for (const m of (await readFile(file, 'utf8')).matchAll(/\('(openmmsc_[a-z0-9_]+)'/g)) registered.add(m[1]!);
    assert.ok(dashboard.panels.length >= 12);
    const used = new Set<string>();
    for (const p of dashboard.panels) {
      assert.ok(p.targets.length > 0, p.title);
      for (const t of p.targets) for (const m of t.expr.matchAll(/openmmsc_[a-z0-9_]+/g)) used.add(m[0].replace(/_(bucket|sum|count)$/, ''));
    }
    const unknown = [...used].filter((m) => !registered.has(m));
    assert.deepEqual(unknown, [], 'every metric the dashboard queries exists');
    for (const m of ['openmmsc_mm1_request_duration_seconds', 'openmmsc_mm1_requests_total', 'openmmsc_jobs_queued', 'openmmsc_console_alarms_active']) assert.ok(used.has(m), m);
  });
});
