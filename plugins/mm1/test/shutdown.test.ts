import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMmsc, definePlugin, type KernelConfigInput, type Mmsc, type PushRequest } from '@openmmsc/core';
import routerPrefix from '@openmmsc/plugin-router-prefix';
import { buildMessage, waitFor } from '@openmmsc/testkit';
import mm1, { mm1Url } from '../src/index.js';
import { fastJobs } from './helpers.js';
import { acknowledgeIndBytes, fakeJpeg, octetOf, sendReqBytes } from './pdu-bytes.js';
import { draftDescr, mboxUploadReq } from './mmbox-bytes.js';

interface Exchange {
  messageId: string;
  to: string;
  fetch?: number | string;
  ack?: number | string;
}

/** One plain HTTP exchange on a fresh connection, as a handset on a new PDP context makes it. */
function exchange(url: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer }): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: new Agent({ keepAlive: false }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/**
 * A push bearer whose handsets act on each push: after a moment (the SMS reaching the phone), a
 * GET of the content location with the MSISDN a WAP gateway adds, then the m-acknowledge-ind.
 */
function fetchingHandsets(slowAfterStop: () => boolean) {
  const exchanges: Exchange[] = [];
  const running = new Set<Promise<void>>();
  const handset = async (request: PushRequest, e: Exchange) => {
    await sleep(slowAfterStop() ? 300 : 5 + Math.random() * 30);
    const url = request.notification.contentLocation!;
    const gateway = { 'x-wap-network-client-msisdn': e.to };
    try {
      const got = await exchange(url, { headers: gateway });
      e.fetch = got.status;
      if (got.status !== 200) return;
      const token = url.slice(url.lastIndexOf('/') + 1);
      const ack = await exchange(`${url.slice(0, url.indexOf('/m/'))}/mms`, {
        method: 'POST',
        headers: { ...gateway, 'content-type': 'application/vnd.wap.mms-message' },
        body: acknowledgeIndBytes(token),
      });
      e.ack = ack.status;
    } catch (error) {
      e.fetch ??= (error as NodeJS.ErrnoException).code ?? String(error);
      e.ack ??= (error as NodeJS.ErrnoException).code ?? String(error);
    }
  };
  const plugin = definePlugin({
    name: 'fetching-handsets',
    version: '0.0.0',
    apiVersion: '^1.0.0',
    setup(ctx) {
      ctx.provide('PushBearer', {
        name: 'fetching-handsets',
        push: async (request) => {
          await sleep(8);
          const e: Exchange = { messageId: request.notification.messageId, to: request.to.value };
          exchanges.push(e);
          const run = handset(request, e).finally(() => running.delete(run));
          running.add(run);
          return { status: 'sent' };
        },
      });
    },
  });
  return { plugin, exchanges, idle: async () => void (await Promise.all([...running])) };
}

async function startNode(dir: string, handsets: ReturnType<typeof fetchingHandsets>): Promise<Mmsc> {
  const config: KernelConfigInput = {
    store: { type: 'sqlite', path: join(dir, 'store.sqlite') },
    admin: { host: '127.0.0.1', port: 0 },
    log: { level: 'silent' },
    jobs: { ...fastJobs, notify: { ...fastJobs.notify, concurrency: 2 } },
    shutdown: { graceMs: '20s', retrievalGrace: '10s' },
  };
  return createMmsc({
    config,
    baseDir: dir,
    plugins: [
      { plugin: routerPrefix, options: { routes: [{ prefix: '+1555', target: 'local' }], unmatched: 'reject' } },
      { plugin: mm1, options: { port: 0 } },
      handsets.plugin,
    ],
  });
}

describe('graceful stop in the middle of a burst', () => {
  let dir: string;
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('every handset notified fetches and acknowledges before the node exits; the rest is notified after a restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'openmmsc-mm1-stop-'));
    let stopping = false;
    const first = fetchingHandsets(() => stopping);
    const node = await startNode(dir, first);
    const url = mm1Url(node)!;

    const accepted: string[] = [];
    let refused = 0;
    let next = 0;
    const burst = 200;
    const sender = async () => {
      while (next < burst) {
        const n = next++;
        const to = `+1555000${String(1000 + n)}`;
        const r = await node.submit({ message: buildMessage({ to, text: `burst ${n}` }), origin: { interface: 'api' } });
        if (r.status === 'accepted') accepted.push(r.messageId);
        else refused++;
      }
    };
    const senders = Array.from({ length: 6 }, sender);
    await waitFor('the burst under way', () => first.exchanges.length >= 25 && accepted.length > first.exchanges.length + 20, { timeoutMs: 20_000, intervalMs: 2 });

    stopping = true;
    const stopped = node.stop();
    // New messages are refused while the node drains: 503, Retry-After, a transient m-send-conf.
    const late = await exchange(`${url}/mms`, {
      method: 'POST',
      headers: { 'x-wap-network-client-msisdn': '+15550000001', 'content-type': 'application/vnd.wap.mms-message' },
      body: sendReqBytes({ transactionId: 'late-1', to: '+15550001000', text: 'too late', jpeg: fakeJpeg(300) }),
    });
    assert.equal(late.status, 503);
    assert.equal(late.headers['retry-after'], '5');
    assert.equal(late.headers['content-type'], 'application/vnd.wap.mms-message');
    assert.equal(octetOf(late.body, 0x92), 0xc3, 'Error-transient-network-problem');
    // So are MMBox stores, in their own terms (X-Mms-Store-Status Error-transient-network-problem).
    const lateUpload = await exchange(`${url}/mms`, {
      method: 'POST',
      headers: { 'x-wap-network-client-msisdn': '+15550000001', 'content-type': 'application/vnd.wap.mms-message' },
      body: mboxUploadReq('late-2', draftDescr('+15550001000', 'late', 'too late for the box')),
    });
    assert.equal(lateUpload.status, 503);
    assert.equal(lateUpload.body[1], 0x90, 'm-mbox-upload-conf');
    assert.equal(octetOf(lateUpload.body, 0xa5), 0xc1);
    await Promise.all(senders);
    await stopped;
    await first.idle();

    const notified = new Set(first.exchanges.map((e) => e.messageId));
    assert.ok(notified.size >= 25, `${notified.size} notified before the stop ended`);
    const failed = first.exchanges.filter((e) => e.fetch !== 200 || e.ack !== 200);
    assert.deepEqual(failed, [], 'every handset that was told to fetch fetched and acknowledged');
    assert.ok(refused > 0 || accepted.length === burst);
    const waiting = accepted.filter((id) => !notified.has(id));
    assert.ok(waiting.length > 0, 'the stop came mid-burst: some accepted messages were not notified yet');

    // The same store on a new node: what was accepted but not notified is notified now.
    const second = fetchingHandsets(() => false);
    const again = await startNode(dir, second);
    try {
      await waitFor('every waiting message notified and fetched', () => waiting.every((id) => second.exchanges.some((e) => e.messageId === id && e.ack === 200)), {
        timeoutMs: 30_000,
      });
      for (const id of accepted) {
        const [r] = await again.getRecipients(id);
        assert.equal(r?.state, 'delivered', id);
      }
      assert.equal(second.exchanges.filter((e) => notified.has(e.messageId)).length, 0, 'nobody was notified twice');
    } finally {
      await again.stop();
      await second.idle();
    }
  });
});
