import { randomBytes } from 'node:crypto';
import { decodeWapPush } from '@openmmsc/codec';
import type { LinkTracker, PluginContext, PushRequest, PushResult } from '@openmmsc/core';
import type { Counter } from 'prom-client';
import { post } from './http-post.js';
import type { PushPapOptions } from './options.js';
import { PapXmlError, classifyPapCode, describePapCode, papMultipart, parsePushResponse, pushMessageXml } from './pap.js';
import { papAddress } from './pap-address.js';
import type { PushRecord } from './records.js';

export interface PpgPushSettings {
  readonly ctx: PluginContext<PushPapOptions>;
  /** Counts each push by result. */
  readonly pushes: Counter<'result'>;
  /** Counts the PAP response codes the PPG answers. */
  readonly codes: Counter<'code'>;
  /** Where the PPG sends result notifications, once that server listens. */
  readonly notifyUrl: () => string | undefined;
  /** The PPG as a link (`ppg`, named by its host): up when it answers, degraded when it answers "try later", down when it does not answer. */
  readonly link: LinkTracker;
}

/** The push bearer's `push`: one PAP push-message per notification, the PPG's answer mapped to sent / retry / failed. */
export function ppgPush(settings: PpgPushSettings): (request: PushRequest, signal: AbortSignal) => Promise<PushResult> {
  const { ctx, pushes, codes, link } = settings;
  const o = ctx.options;
  const url = new URL(o.url);
  const domain = o.ppgDomain ?? url.hostname;
  const auth = o.username !== undefined ? `Basic ${Buffer.from(`${o.username}:${o.password ?? ''}`).toString('base64')}` : undefined;
  const count = (r: PushResult): PushResult => {
    pushes.inc({ result: r.status });
    return r;
  };

  return async function push(request: PushRequest, signal: AbortSignal): Promise<PushResult> {
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
        contentType = wsp.contentType.type;
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
    const notifyUrl = settings.notifyUrl();
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
      if (e.name !== 'AbortError') link.saw(url.host, 'down', why);
      return count({ status: 'retry', reason: `PPG ${url.host}: ${why}` });
    }
    const text = res.text;
    let parsed;
    try {
      parsed = parsePushResponse(text);
    } catch (error) {
      const detail = error instanceof PapXmlError ? error.message : String(error);
      link.saw(url.host, 'degraded', `HTTP ${res.status} without a PAP response`);
      if (res.status === 401 || res.status === 403) return count({ status: 'retry', reason: `PPG ${url.host} refused our credentials (HTTP ${res.status})` });
      return count({ status: 'retry', reason: `PPG ${url.host} answered HTTP ${res.status} without a PAP response (${detail})` });
    }
    codes.inc({ code: String(parsed.code) });
    const what = describePapCode(parsed.code, parsed.desc);
    const verdict = classifyPapCode(parsed.code);
    // A push refused for its address still shows a PPG at work; "try later" shows one impaired.
    link.saw(url.host, verdict === 'retry' ? 'degraded' : 'up', verdict === 'retry' ? what : undefined);
    switch (verdict) {
      case 'accepted':
        ctx.log.debug({ pushId, to: request.to.value, code: parsed.code }, 'push accepted by the PPG');
        return count({ status: 'sent', reference: pushId });
      case 'retry':
        return count({ status: 'retry', reason: `PPG ${url.host}: ${what}` });
      case 'failed':
        return count({ status: 'failed', reason: `PPG ${url.host} refused the push: ${what}` });
    }
  };
}
