import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildMessage, recordingPushBearer, startTestMmsc, waitFor, type TestMmsc } from '@openmmsc/testkit';
import mm8, { type Cdr } from '../src/index.js';
import { localPhones } from './helpers.js';

const BATCH_KIND = '@openmmsc/plugin-mm8/http-batch-0';

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

function startOn(store: string, port: number): Promise<TestMmsc> {
  return startTestMmsc({
    config: { store: { type: 'sqlite', path: store } },
    plugins: [
      localPhones,
      recordingPushBearer().plugin,
      { plugin: mm8, options: { events: ['submission'], writers: [{ type: 'http', url: `http://127.0.0.1:${port}/cdr`, batchSize: 10, flushInterval: 20, retryBase: 50, attempts: 3 }] } },
    ],
  });
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

describe('MM8 HTTP batches are durable jobs', () => {
  it('a batch retried while the endpoint is down survives a restart and is POSTed once when it is back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-mm8-http-restart-'));
    const store = join(dir, 'store.sqlite');
    // Nothing listens here until the endpoint "comes back": every POST meets a refused connection.
    const port = await freePort();
    let t: TestMmsc | undefined;
    let server: Server | undefined;
    try {
      t = await startOn(store, port);
      const r = await t.mmsc.submit({ message: buildMessage({ text: 'billed' }), origin: { interface: 'mm1' } });
      assert.equal(r.status, 'accepted');
      const first = t;
      await waitFor('a failed POST, retry scheduled', async () => {
        const metric = await first.mmsc.registry.getSingleMetricAsString('openmmsc_jobs_total');
        return new RegExp(`kind="${BATCH_KIND.replaceAll('/', '\\/')}",outcome="retry"\\} [1-9]`).test(metric);
      });
      await t.stop();
      t = undefined;

      const posts: Array<{ key: string; records: Cdr[] }> = [];
      server = createServer((req, res) => {
        void body(req).then((b) => {
          posts.push({ key: String(req.headers['idempotency-key']), records: JSON.parse(b) as Cdr[] });
          res.writeHead(200).end();
        });
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
      t = await startOn(store, port);
      await waitFor('the batch after the restart', () => posts.length >= 1, { timeoutMs: 15_000 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(posts.length, 1, 'POSTed once');
      assert.deepEqual(posts[0]!.records.map((c) => [c.event, c.messageID]), [['submission', r.messageId]]);
      assert.match(posts[0]!.key, /^[0-9a-f-]{36}$/, 'the batch keeps its Idempotency-Key');
    } finally {
      await t?.stop();
      server?.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
