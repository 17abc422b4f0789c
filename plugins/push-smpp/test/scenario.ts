import assert from 'node:assert/strict';
import { buildMessage, localSubscribers, notificationBuilder, startTestMmsc, type TestMmsc, waitFor } from '@openmmsc/testkit';
import type { KernelConfigInput, Mmsc } from '@openmmsc/core';
import pushSmpp from '../src/index.js';

/** A real MMSC with this bearer, the kernel's default job settings unless `config` says otherwise. */
export async function mmscWithBearer(options: Record<string, unknown>, config: KernelConfigInput = {}): Promise<TestMmsc> {
  return startTestMmsc({ plugins: [localSubscribers(), notificationBuilder(), { plugin: pushSmpp, options }], config });
}

/** A bare link to a test SMSC, the plugin's defaults for everything else. */
export function bareLink(port: number, extra: Record<string, unknown> = {}) {
  return { host: '127.0.0.1', port, systemId: 'mmsc', password: 'secret', ...extra };
}

/** Submits one message per number; resolves to the message ids. */
export async function sendEach(t: TestMmsc, numbers: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const to of numbers) {
    const r = await t.mmsc.submit({ message: buildMessage({ to }), origin: { interface: 'api' } });
    assert.equal(r.status, 'accepted');
    ids.push(r.messageId);
  }
  return ids;
}

export const numbers = (n: number, base: number): string[] => Array.from({ length: n }, (_, i) => `+1555${String(base + i).padStart(7, '0')}`);

export async function countNotified(mmsc: Mmsc, ids: readonly string[]): Promise<number> {
  let n = 0;
  for (const id of ids) if ((await mmsc.getRecipients(id))[0]?.state === 'notified') n++;
  return n;
}

export async function allNotified(mmsc: Mmsc, ids: readonly string[], timeoutMs: number): Promise<void> {
  await waitFor(`all ${ids.length} recipients notified`, async () => (await countNotified(mmsc, ids)) === ids.length, { timeoutMs, intervalMs: 100 });
}

/**
 * The invariant: every recipient not yet notified has a notify run scheduled (or running), and
 * has not used its attempts waiting for the bearer.
 */
export async function assertNoneForgotten(mmsc: Mmsc, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const r = (await mmsc.getRecipients(id))[0]!;
    if (r.state !== 'charged') continue;
    const job = await mmsc.queue.job(`notify:${id}:0`);
    assert.ok(job && job.state !== 'failed', `recipient of ${id} is ${r.state} with no notify run scheduled (${JSON.stringify(job)})`);
    // A running job is on its attempt (its claim counts it until it is held back).
    assert.equal(job.attempt - (job.state === 'active' ? 1 : 0), 0, `waiting for the SMSC used attempts of ${id}`);
  }
}

export async function scrape(mmsc: Mmsc): Promise<string> {
  return (await fetch(`${mmsc.adminUrl}/metrics`)).text();
}

export function gauge(metrics: string, name: string, labels = ''): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Prints a figure for the closing note (visible in the test output). */
export function figure(text: string): void {
  console.log(`# figure: ${text}`);
}
