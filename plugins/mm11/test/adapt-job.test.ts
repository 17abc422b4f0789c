import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Capabilities, JobKindHandle, PluginContext } from '@openmmsc/core';
import { adaptJobId, defineAdaptJob, type AdaptJobData } from '../src/adapt-job.js';
import type { VariantCache } from '../src/variant-cache.js';

describe('adaptation jobs', () => {
  it('the jobs of a message\'s classes are enqueued together (one commit in the sender\'s wait), each by its own id', async () => {
    const pending: Array<{ data: AdaptJobData; id: string | undefined; resolve: () => void }> = [];
    const handle: JobKindHandle<AdaptJobData> = {
      kind: 'mm11/adapt',
      enqueue: (data, options) => new Promise((resolve) => pending.push({ data, id: options?.id, resolve: () => resolve(options?.id ?? '') })),
    };
    const ctx = { jobs: { define: () => handle }, log: {} } as unknown as Pick<PluginContext<unknown>, 'jobs' | 'log'>;
    const adaptLater = defineAdaptJob(ctx, {} as VariantCache, { maxAttempts: 3, concurrency: 1 });
    const classes: Capabilities[] = ['100k', '300k', '600k'].map((c) => ({ class: c }) as Capabilities);
    let done = false;
    const scheduled = adaptLater({ messageId: 'm1', capabilities: classes }).then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(pending.map((p) => p.id), classes.map((c) => adaptJobId('m1', c.class)), 'every class asked for before any was stored');
    pending[0]!.resolve();
    pending[1]!.resolve();
    await new Promise((r) => setImmediate(r));
    assert.equal(done, false, 'not done while a class is still being stored');
    pending[2]!.resolve();
    await scheduled;
    assert.equal(done, true);
  });
});
