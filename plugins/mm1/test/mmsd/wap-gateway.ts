import { request as httpRequest, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the gateway passed on. */
export interface GatewayExchange {
  method: string;
  url: string;
  /** Request headers as the handset sent them (lower-case names). */
  headers: Record<string, string | string[] | undefined>;
  requestBytes: number;
  status: number;
  responseBytes: number;
}

export interface WapGateway {
  /** `127.0.0.1:<port>`: what the handset is configured with as its MMS proxy. */
  readonly hostPort: string;
  readonly exchanges: GatewayExchange[];
  close(): Promise<void>;
}

/**
 * The operator's WAP gateway in front of the MMSC, as an HTTP proxy: takes the handset's
 * absolute-form requests, drops any MSISDN header the handset sent, adds
 * `X-WAP-Network-Client-MSISDN` with the subscriber's number (what the gateway knows from the
 * radio bearer), and passes the request on, only to the MMSC's host.
 */
export async function startWapGateway(opts: { msisdn: string; mmscUrl: string }): Promise<WapGateway> {
  const mmsc = new URL(opts.mmscUrl);
  const digits = opts.msisdn.replace(/\D/g, '');
  const exchanges: GatewayExchange[] = [];

  const relay = (req: IncomingMessage, res: ServerResponse) => {
    let target: URL;
    try {
      target = new URL(req.url ?? '', opts.mmscUrl);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (target.host !== mmsc.host) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('this gateway only reaches the MMSC\n');
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || /^(x-wap-network-client-msisdn|x-msisdn|proxy-connection|connection|keep-alive)$/i.test(name)) continue;
      headers[name] = value;
    }
    headers['x-wap-network-client-msisdn'] = digits;
    headers.host = target.host;
    const exchange: GatewayExchange = { method: req.method ?? '', url: target.href, headers: { ...req.headers }, requestBytes: 0, status: 0, responseBytes: 0 };
    exchanges.push(exchange);
    const upstream = httpRequest(target, { method: req.method, headers }, (up) => {
      exchange.status = up.statusCode ?? 0;
      res.writeHead(exchange.status, up.headers);
      up.on('data', (chunk: Buffer) => (exchange.responseBytes += chunk.length));
      up.pipe(res);
    });
    upstream.on('error', (error) => {
      exchange.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`${error.message}\n`);
    });
    req.on('data', (chunk: Buffer) => (exchange.requestBytes += chunk.length));
    req.pipe(upstream);
  };

  const server: Server = createServer(relay);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    hostPort: `127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
