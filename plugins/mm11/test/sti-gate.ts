import { createServer, type Server } from 'node:http';
import { startTestStiServer } from './sti-helpers.js';
import { tools } from './helpers.js';
import type { StiServer } from '../src/index.js';

/**
 * A slow external STI transcoder, as the MMSC's STI client meets it: every request is held at a
 * gate until the test opens it, then forwarded as it came to a real STI server (which converts
 * with sharp) and its answer returned as it is; or, when `down`, the connection is dropped.
 */
export interface StiGate {
  url: string;
  /** Requests received so far (each one a media conversion). */
  readonly requests: number;
  /** Requests waiting at the gate now. */
  readonly waiting: number;
  open(): void;
  /** Holds requests again from now on. */
  close(): void;
  /** Drop connections instead of answering. */
  down: boolean;
  stop(): Promise<void>;
}

export async function startStiGate(): Promise<StiGate> {
  const sti: { server: StiServer; url: string } = await startTestStiServer(await tools());
  let release: () => void = () => undefined;
  let gate = new Promise<void>((r) => (release = r));
  let requests = 0;
  let waiting = 0;
  const state = { down: false };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      requests++;
      waiting++;
      await gate;
      waiting--;
      if (state.down) {
        req.socket.destroy();
        return;
      }
      const answer = await fetch(sti.url, { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '', soapaction: '""' }, body: Buffer.concat(chunks) });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/xml' });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/sti`,
    get requests() {
      return requests;
    },
    get waiting() {
      return waiting;
    },
    open: () => release(),
    close: () => void (gate = new Promise<void>((r) => (release = r))),
    get down() {
      return state.down;
    },
    set down(v: boolean) {
      state.down = v;
    },
    async stop() {
      release();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await sti.server.stop();
    },
  };
}
