import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { decodeWapPush } from '@openmmsc/codec';
import { definePlugin, pluginIdentity, type Address, type PushRequest, type PushResult } from '@openmmsc/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import { pushPapOptions, type PushPapOptions } from './options.js';
import {
  PapXmlError,
  classifyPapCode,
  describePapCode,
  papMultipart,
  parsePushResponse,
  parseResultNotification,
  pushMessageXml,
  resultNotificationResponse,
  type ResultNotification,
} from './pap.js';

export { pushPapOptions, type PushPapOptions } from './options.js';
export {
  PAP_CODES,
  classifyPapCode,
  describePapCode,
  parsePushResponse,
  parseResultNotification,
  pushMessageXml,
  papMultipart,
  resultNotificationResponse,
  PapXmlError,
  type PapCodeClass,
  type PushResponse,
  type ResultNotification,
  type PushMessageSpec,
} from './pap.js';

/** What is kept (in `ctx.kv`, key `push:<push-id>`) for each accepted push, to match result notifications. */
export interface PushRecord {
  messageId: string;
  recipient: string;
  kind: string;
  at: number;
}

/** A result notification as recorded (key `result:<push-id>`, and `result:<messageId>:<recipient>` when matched). */
export interface ResultRecord extends ResultNotification {
  at: number;
  messageId?: string;
  recipient?: string;
}

/**
 * Push bearer over PAP 2.0: each notification goes to a Push Proxy Gateway (Kannel's PPG, or any
 * PAP server) as a push-message; the PPG builds the WSP push and sends it to the handset.
 */
export default definePlugin({
  ...pluginIdentity(import.meta.url),
  apiVersion: '^1.0.0',
  description: 'PAP push bearer: notifications through a Push Proxy Gateway',
  configSchema: pushPapOptions,
  facts: () => ({ provides: ['PushBearer'] }),
  setup(ctx) {
    const o: PushPapOptions = ctx.options;
    const url = new URL(o.url);
    const domain = o.ppgDomain ?? url.hostname;
    const auth = o.username !== undefined ? `Basic ${Buffer.from(`${o.username}:${o.password ?? ''}`).toString('base64')}` : undefined;
    let server: FastifyInstance | undefined;
    let notifyUrl: string | undefined;

    const pushes = new Counter({
      name: 'openmmsc_pap_pushes_total',
      help: 'Notifications handed to the PPG, by result (sent, retry, failed)',
      labelNames: ['result'],
      registers: [ctx.metrics],
    });
    const codes = new Counter({
      name: 'openmmsc_pap_response_codes_total',
      help: 'PAP response-result codes received from the PPG',
      labelNames: ['code'],
      registers: [ctx.metrics],
    });
    const results = new Counter({
      name: 'openmmsc_pap_result_notifications_total',
      help: 'PAP result notifications received, by message-state',
      labelNames: ['state'],
      registers: [ctx.metrics],
    });
    const count = (r: PushResult): PushResult => {
      pushes.inc({ result: r.status });
      return r;
    };

    async function push(request: PushRequest, signal: AbortSignal): Promise<PushResult> {
      if (request.text !== undefined) return count({ status: 'failed', reason: 'the PAP bearer cannot send text SMS' });
      if (!request.pdu) return count({ status: 'failed', reason: 'nothing to send: no WAP Push PDU was built (is a plugin that builds notifications, such as MM1, configured?)' });
      const address = papAddress(request.to, domain);
      if (typeof address !== 'string') return count({ status: 'failed', reason: address.error });

      // PAP carries the content (the m-notification-ind); the PPG builds the WSP push around it.
      let content: Uint8Array;
      let contentType = 'application/vnd.wap.mms-message';
      let applicationId = o.applicationId;
      if (request.pdu[0] === 0x8c) content = request.pdu;
      else {
        try {
          const wsp = decodeWapPush(request.pdu);
          content = wsp.body;
          contentType = wsp.contentType.mediaType;
          if (typeof wsp.applicationId === 'string') applicationId = wsp.applicationId;
        } catch (error) {
          return count({ status: 'failed', reason: `the push PDU is not a WAP Push: ${(error as Error).message}` });
        }
      }

      const pushId = `${request.notification.messageId}.${randomBytes(6).toString('hex')}@openmmsc`;
      const spec = { pushId, address, deliveryMethod: o.deliveryMethod } as Parameters<typeof pushMessageXml>[0];
      if (o.network) spec.network = o.network;
      if (o.bearer) spec.bearer = o.bearer;
      if (o.deliverBefore) spec.deliverBefore = request.notification.expiry;
      if (notifyUrl) spec.notifyTo = notifyUrl;
      const { body, contentType: mpType } = papMultipart(
        pushMessageXml(spec),
        content,
        { 'Content-Type': contentType, 'X-Wap-Application-Id': applicationId, 'Content-Length': String(content.byteLength) },
        `openmmsc-${randomBytes(12).toString('hex')}`,
      );

      // Remember the push before the PPG can answer with a result notification.
      await ctx.kv.set(
        `push:${pushId}`,
        { messageId: request.notification.messageId, recipient: request.to.value, kind: request.notification.kind, at: ctx.clock.now() } satisfies PushRecord,
        o.recordTtlMs,
      );

      // Only the headers PAP needs: Kannel copies request headers such as User-Agent and Accept
      // into the WSP push, which would cost octets on the air.
      const headers: Record<string, string> = { 'content-type': mpType };
      if (auth) headers.authorization = auth;
      let res: { status: number; text: string };
      try {
        res = await post(url, headers, body, signal, o.timeoutMs);
      } catch (error) {
        const e = error as Error;
        const why = e.name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : e.name === 'AbortError' ? 'aborted (the MMSC is stopping)' : e.message;
        return count({ status: 'retry', reason: `PPG ${url.host}: ${why}` });
      }
      const text = res.text;
      let parsed;
      try {
        parsed = parsePushResponse(text);
      } catch (error) {
        const detail = error instanceof PapXmlError ? error.message : String(error);
        if (res.status === 401 || res.status === 403) return count({ status: 'retry', reason: `PPG ${url.host} refused our credentials (HTTP ${res.status})` });
        return count({ status: 'retry', reason: `PPG ${url.host} answered HTTP ${res.status} without a PAP response (${detail})` });
      }
      codes.inc({ code: String(parsed.code) });
      const what = describePapCode(parsed.code, parsed.desc);
      switch (classifyPapCode(parsed.code)) {
        case 'accepted':
          ctx.log.debug({ pushId, to: request.to.value, code: parsed.code }, 'push accepted by the PPG');
          return count({ status: 'sent', reference: pushId });
        case 'retry':
          return count({ status: 'retry', reason: `PPG ${url.host}: ${what}` });
        case 'failed':
          return count({ status: 'failed', reason: `PPG ${url.host} refused the push: ${what}` });
      }
    }

    async function onResult(xml: string): Promise<{ status: number; body: string }> {
      let rn: ResultNotification;
      try {
        rn = parseResultNotification(xml);
      } catch (error) {
        ctx.log.warn({ err: (error as Error).message }, 'bad PAP result notification');
        return { status: 400, body: resultNotificationResponse('', undefined, 2000, (error as Error).message) };
      }
      const state = rn.messageState ?? 'unknown';
      results.inc({ state });
      const sub = await ctx.kv.get<PushRecord>(`push:${rn.pushId}`);
      const record: ResultRecord = { ...rn, at: ctx.clock.now() };
      if (sub) {
        record.messageId = sub.messageId;
        record.recipient = sub.recipient;
      }
      await ctx.kv.set(`result:${rn.pushId}`, record, o.recordTtlMs);
      if (sub) {
        await ctx.kv.set(`result:${sub.messageId}:${sub.recipient}`, record, o.recordTtlMs);
        const r = (await ctx.mmsc.getRecipients(sub.messageId)).find((x) => x.address.value === sub.recipient);
        if (r) {
          await ctx.mmsc
            .setRecipientAttributes(sub.messageId, r.index, { pushResult: state, pushResultCode: rn.code })
            .catch((error: unknown) => ctx.log.debug({ err: error }, 'could not note the PAP result on the recipient'));
        }
        ctx.log.info({ pushId: rn.pushId, messageId: sub.messageId, recipient: sub.recipient, state, code: rn.code }, `PAP result ${state} for message ${sub.messageId} to ${sub.recipient}`);
      } else {
        ctx.log.info({ pushId: rn.pushId, state, code: rn.code }, `PAP result ${state} for an unknown push-id`);
      }
      return { status: 200, body: resultNotificationResponse(rn.pushId, rn.address, 1000, 'OK') };
    }

    ctx.provide('PushBearer', { name: ctx.name, push });

    return {
      async start() {
        const rn = o.resultNotification;
        if (!rn.enabled) return;
        const app = Fastify({ bodyLimit: 65_536 });
        app.removeAllContentTypeParsers();
        app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
        const allowed = new Set(rn.allowFrom);
        app.post(rn.path, async (req, reply) => {
          if (allowed.size && !allowed.has(req.ip)) return reply.code(403).type('text/plain').send('forbidden');
          const out = await onResult(typeof req.body === 'string' ? req.body : '');
          return reply.code(out.status).type('application/xml').send(out.body);
        });
        await app.listen({ host: rn.host, port: rn.port });
        server = app;
        const a = app.server.address() as AddressInfo;
        const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
        notifyUrl = rn.publicUrl ?? `http://${host}:${a.port}${rn.path}`;
        ctx.log.info({ url: notifyUrl }, 'PAP result notifications accepted');
      },
      async stop() {
        await server?.close();
        server = undefined;
      },
      ready() {
        if (o.resultNotification.enabled && !server) return 'result-notification server not listening';
        return true;
      },
    };
  },
});

/** POSTs `body`; resolves with the status and (at most 64 KB of) the answer. */
function post(url: URL, headers: Record<string, string>, body: Buffer, signal: AbortSignal, timeoutMs: number): Promise<{ status: number; text: string }> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const both = AbortSignal.any([signal, timeout]);
  return new Promise((resolve, reject) => {
    const fail = (e: Error) => {
      if (timeout.aborted) reject(Object.assign(new Error('timeout'), { name: 'TimeoutError' }));
      else if (signal.aborted) reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      else reject(e);
    };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(body.length) }, signal: both },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > 65_536) req.destroy(new Error('PPG answer larger than 64 KB'));
          else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

/** `WAPPUSH=+15550000002/TYPE=PLMN@domain` (PAP address syntax, WAP-249-PPGService 7). */
function papAddress(to: Address, domain: string): string | { error: string } {
  switch (to.type) {
    case 'plmn':
    case 'shortcode':
      return `WAPPUSH=${to.value}/TYPE=PLMN@${domain}`;
    case 'ipv4':
      return `WAPPUSH=${to.value}/TYPE=IPv4@${domain}`;
    case 'ipv6':
      return `WAPPUSH=${to.value}/TYPE=IPv6@${domain}`;
    default:
      return { error: `a PPG cannot push to ${to.type} address ${to.value}` };
  }
}
