import type { AddressInfo } from 'node:net';
import type { PluginContext } from '@openmmsc/core';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Counter } from 'prom-client';
import type { PushPapOptions } from './options.js';
import { parseResultNotification, resultNotificationResponse, type ResultNotification } from './pap.js';
import type { PushRecord, ResultRecord } from './records.js';

/**
 * The server PAP result notifications come to: each is matched to the push it reports on (by
 * push-id), recorded, and noted on the recipient.
 */
export class ResultServer {
  private server: FastifyInstance | undefined;
  /** The URL given to the PPG as notify-requested-to (set once listening). */
  url: string | undefined;

  constructor(
    private readonly ctx: PluginContext<PushPapOptions>,
    private readonly results: Counter<'state'>,
  ) {}

  get listening(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<void> {
    const rn = this.ctx.options.resultNotification;
    if (!rn.enabled) return;
    const app = Fastify({ bodyLimit: 65_536 });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    const allowed = new Set(rn.allowFrom);
    app.post(rn.path, async (req, reply) => {
      if (allowed.size && !allowed.has(req.ip)) return reply.code(403).type('text/plain').send('forbidden');
      const out = await this.onResult(typeof req.body === 'string' ? req.body : '');
      return reply.code(out.status).type('application/xml').send(out.body);
    });
    await app.listen({ host: rn.host, port: rn.port });
    this.server = app;
    const a = app.server.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    this.url = rn.publicUrl ?? `http://${host}:${a.port}${rn.path}`;
    this.ctx.log.info({ url: this.url }, 'PAP result notifications accepted');
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  async onResult(xml: string): Promise<{ status: number; body: string }> {
    let rn: ResultNotification;
    try {
      rn = parseResultNotification(xml);
    } catch (error) {
      this.ctx.log.warn({ err: (error as Error).message }, 'bad PAP result notification');
      return { status: 400, body: resultNotificationResponse('', undefined, 2000, (error as Error).message) };
    }
    const state = rn.messageState ?? 'unknown';
    this.results.inc({ state });
    const sub = await this.ctx.kv.get<PushRecord>(`push:${rn.pushId}`);
    const record: ResultRecord = { ...rn, at: this.ctx.clock.now() };
    if (sub) {
      record.messageId = sub.messageId;
      record.recipient = sub.recipient;
    }
    await this.ctx.kv.set(`result:${rn.pushId}`, record, this.ctx.options.recordTtlMs);
    if (sub) {
      await this.ctx.kv.set(`result:${sub.messageId}:${sub.recipient}`, record, this.ctx.options.recordTtlMs);
      const r = (await this.ctx.mmsc.getRecipients(sub.messageId)).find((x) => x.address.value === sub.recipient);
      if (r) {
        await this.ctx.mmsc
          .setRecipientAttributes(sub.messageId, r.index, { pushResult: state, pushResultCode: rn.code })
          .catch((error: unknown) => this.ctx.log.debug({ err: error }, 'could not note the PAP result on the recipient'));
      }
      this.ctx.log.info({ pushId: rn.pushId, messageId: sub.messageId, recipient: sub.recipient, state, code: rn.code }, `PAP result ${state} for message ${sub.messageId} to ${sub.recipient}`);
    } else {
      this.ctx.log.info({ pushId: rn.pushId, state, code: rn.code }, `PAP result ${state} for an unknown push-id`);
    }
    return { status: 200, body: resultNotificationResponse(rn.pushId, rn.address, 1000, 'OK') };
  }
}
