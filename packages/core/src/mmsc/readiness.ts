import { startAdminServer, type Ability, type ReadinessCheck } from '../admin/admin-server.js';
import type { DurabilityWatch } from '../kernel/durability-watch.js';
import type { KernelContext } from '../kernel/kernel-context.js';
import type { Protection } from '../kernel/protection.js';
import type { RunningPlugin, Started, StartInput } from './started.js';

/** The admin server (`/health`, `/ready`, `/metrics`) when config enables it. */
export async function openAdmin(input: StartInput, started: Started, durability: DurabilityWatch): Promise<Started['admin']> {
  if (!input.config.admin.enabled) return undefined;
  const { k, protection, plugins } = started;
  const admin = await startAdminServer({
    config: input.config,
    baseDir: input.resolved.baseDir,
    registry: input.metrics.registry,
    log: input.log,
    accepting: input.accepting,
    routes: started.adminRoutes,
    nodeMetrics: input.worker?.nodeMetrics,
    checks: () => readinessChecks(k, protection, plugins),
    abilities: () => [
      ['notify', async () => notifyAbility(k)],
      ['load', async () => loadAbility(protection)],
      ['durability', () => durability.ability()],
    ],
  });
  return { url: admin.url, close: () => admin.server.close() };
}

/** `/ready`: store, queue, the disk watermark and each plugin's `ready` hook. */
export function readinessChecks(k: KernelContext, protection: Protection | undefined, plugins: readonly RunningPlugin[]): Array<[string, ReadinessCheck]> {
  const checks: Array<[string, ReadinessCheck]> = [
    ['store', async () => (await k.store.ping(), true)],
    ['queue', async () => (await k.queue.ping(), true)],
  ];
  const disk = protection?.disk;
  // Below the watermark the node cannot take work: a load balancer should send submissions elsewhere.
  if (disk) checks.push(['disk', async () => (disk.current.low ? (disk.current.detail ?? 'disk nearly full') : true)]);
  for (const p of plugins) {
    const ready = p.hooks.ready;
    if (ready) checks.push([p.name, async () => ready.call(p.hooks)]);
  }
  return checks;
}

/**
 * Whether notifications can go out now. Not part of readiness: the node still accepts
 * messages, which wait (held) until the bearer is back; a load balancer must not pull it.
 */
export function notifyAbility(k: KernelContext): Ability {
  const bearer = k.services.single('PushBearer');
  if (!bearer) return { ok: false, detail: 'no push bearer is configured' };
  const a = bearer.availability?.();
  if (!a) return { ok: true };
  return a.detail === undefined ? { ok: a.available } : { ok: a.available, detail: a.detail };
}

/** Whether new submissions are refused for load now. Not part of readiness: a short overload passes. */
export function loadAbility(protection: Protection | undefined): Ability {
  const cause = protection?.admission.cause();
  return cause ? { ok: false, detail: `refusing new messages: ${protection!.admission.describe(cause)}` } : { ok: true };
}
