import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { describe, it } from 'node:test';
import { buildMessage, freePort, jobRetries, recordingPushBearer, restartableMmsc, waitFor, whileRunning } from '@openmmsc/testkit';
import type { PluginInput } from '@openmmsc/core';
import mm8, { type Cdr } from '../src/index.js';
import { localPhones } from './helpers.js';

const BATCH_KIND = '@openmmsc/plugin-mm8/http-batch-0';

/** MM8 POSTing each submission's CDR to `port` in batches, retried quickly. */
function cdrsTo(port: number): PluginInput {
  return { plugin: mm8, options: { events: ['submission'], writers: [{ type: 'http', url: `http://127.0.0.1:${port}/cdr`, batchSize: 10, flushInterval: 20, retryBase: 50, attempts: 3 }] } };
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
    // Nothing listens here until the endpoint "comes back": every POST meets a refused connection.
    const port = await freePort();
    let server: Server | undefined;
    const endpoint = { stop: () => server?.close() };
    await whileRunning(
      restartableMmsc('openmmsc-mm8-http-restart-', { plugins: [localPhones, recordingPushBearer().plugin, cdrsTo(port)] }),
      async (node) => {
        await node.start();
        const r = await node.mmsc.submit({ message: buildMessage({ text: 'billed' }), origin: { interface: 'mm1' } });
        assert.equal(r.status, 'accepted');
        await waitFor('a failed POST, retry scheduled', async () => (await jobRetries(node.mmsc, BATCH_KIND)) > 0);
        await node.down();

        const posts: Array<{ key: string; records: Cdr[] }> = [];
        server = createServer((req, res) => {
          void body(req).then((b) => {
            posts.push({ key: String(req.headers['idempotency-key']), records: JSON.parse(b) as Cdr[] });
            res.writeHead(200).end();
          });
        });
        await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
        await node.start();
        await waitFor('the batch after the restart', () => posts.length >= 1, { timeoutMs: 15_000 });
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal(posts.length, 1, 'POSTed once');
        assert.deepEqual(posts[0]!.records.map((c) => [c.event, c.messageID]), [['submission', r.messageId]]);
        assert.match(posts[0]!.key, /^[0-9a-f-]{36}$/, 'the batch keeps its Idempotency-Key');
      },
      endpoint,
    );
  });
});
