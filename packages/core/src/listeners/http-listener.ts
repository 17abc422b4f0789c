import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Registry } from 'prom-client';
import type { HttpListenerLimits } from '../config/listener-schema.js';
import type { TlsServerConfig } from '../config/tls-schema.js';
import { ipList } from './address-list.js';
import { ConnectionBudget } from './connection-budget.js';
import { listenerMetrics } from './listener-metrics.js';
import { tlsServerOptions } from './tls.js';

export interface HttpListenerSetup {
  /** Names the listener in logs and metrics: `mm1`, `mm7`, `admin`, … */
  name: string;
  limits: HttpListenerLimits;
  /** HTTPS with this certificate; paths resolve against `baseDir`. */
  tls?: { config: TlsServerConfig; baseDir: string } | undefined;
  /** Registry for `openmmsc_listener_*` metrics. */
  metrics?: Registry;
  log?: { info(obj: object, msg: string): void };
}

/** Fastify options the listener sets itself; a caller's are taken as given. */
type OwnOptions = 'requestTimeout' | 'keepAliveTimeout' | 'connectionTimeout' | 'http' | 'https' | 'serverFactory';

/**
 * A fastify instance whose server is protected the same way on every listener: a time-out for
 * the headers and an absolute one for the whole request (a body trickling in a byte at a time is
 * cut off with 408), keep-alive idle time-out, header count limit, and connection caps in all and
 * per client address, checked at connect (over a cap the connection is closed at once, before a
 * byte is read). With `tls`, it serves HTTPS (client certificates asked for when configured).
 */
export function createHttpListener(setup: HttpListenerSetup, options: Omit<FastifyServerOptions, OwnOptions> = {}): FastifyInstance {
  const l = setup.limits;
  const requestTimeout = l.requestTimeout;
  // Node refuses a headers time-out longer than the request's.
  const headersTimeout = requestTimeout > 0 ? Math.min(l.headersTimeout, requestTimeout) : l.headersTimeout;
  const shortest = Math.min(...[headersTimeout, requestTimeout].filter((t) => t > 0));
  // How often node looks for expired requests: the time-outs are only as precise as this.
  const checkEvery = Number.isFinite(shortest) ? Math.min(5000, Math.max(100, Math.floor(shortest / 4))) : 30_000;
  const serverOptions = { headersTimeout, requestTimeout, connectionsCheckingInterval: checkEvery };
  const tls = setup.tls ? tlsServerOptions(setup.tls.config, setup.tls.baseDir) : undefined;
  const app = Fastify({
    ...options,
    requestTimeout,
    keepAliveTimeout: l.idleTimeout,
    connectionTimeout: 0,
    // A client that connects and never finishes the TLS handshake is held to the headers time-out.
    ...(tls ? { https: { ...tls, ...serverOptions, handshakeTimeout: headersTimeout } } : { http: serverOptions }),
  } as FastifyServerOptions) as unknown as FastifyInstance;
  const guard = guardConnections(app.server, setup);
  // Node stops enforcing the time-outs once a server closes: a slow client would then hold the close open forever.
  app.addHook('preClose', (done) => {
    guard.closing(Math.max(requestTimeout, headersTimeout, 1000));
    done();
  });
  return app;
}

/** Connection caps at connect, and the listener's metrics; `closing` ends what would hold a close open. */
function guardConnections(server: Server, setup: HttpListenerSetup): { closing(graceMs: number): void } {
  const l = setup.limits;
  server.maxHeadersCount = l.maxHeadersCount;
  const budget = new ConnectionBudget({
    maxConnections: l.maxConnections,
    maxConnectionsPerAddress: l.maxConnectionsPerAddress,
    exempt: l.exemptAddresses.length ? ipList(l.exemptAddresses) : undefined,
  });
  const metrics = setup.metrics ? listenerMetrics(setup.metrics) : undefined;
  /** Open connections and the request each is serving, if any. */
  const sockets = new Map<Socket, IncomingMessage | undefined>();
  let untrack: (() => void) | undefined;
  server.once('listening', () => {
    untrack = metrics?.track(setup.name, () => budget.open);
  });
  server.once('close', () => untrack?.());
  let lastLog = 0;
  // Ahead of node's own listener: a refused connection is gone before a parser is attached to it.
  server.prependListener('connection', (socket: Socket) => {
    const admitted = budget.admit(socket.remoteAddress ?? '');
    if (!admitted.ok) {
      metrics?.refused(setup.name, admitted.reason);
      const now = Date.now();
      if (now - lastLog > 10_000) {
        lastLog = now;
        setup.log?.info({ listener: setup.name, remote: socket.remoteAddress, reason: admitted.reason }, `connection refused: ${admitted.detail}`);
      }
      socket.destroy();
      return;
    }
    sockets.set(socket, undefined);
    socket.once('close', () => {
      sockets.delete(socket);
      admitted.release();
    });
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    if (!sockets.has(socket)) return;
    sockets.set(socket, req);
    res.once('close', () => {
      if (sockets.get(socket) === req) sockets.set(socket, undefined);
    });
  });
  server.on('clientError', (error: Error & { code?: string }) => {
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') metrics?.refused(setup.name, 'timeout');
  });
  return {
    closing(graceMs) {
      // Idle, still sending its head, or still sending its body: nothing to finish.
      for (const [socket, req] of sockets) if (!req || !req.complete) socket.destroy();
      // A request being answered may finish, within the time a request may take.
      const timer = setTimeout(() => {
        for (const socket of sockets.keys()) socket.destroy();
      }, graceMs);
      timer.unref();
      server.once('close', () => clearTimeout(timer));
    },
  };
}
