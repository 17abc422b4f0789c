/**
 * Our MMSC (B, +1666… local, `mms.mnc002.mcc001.gprs`) as a peer sees it, with the peers' sides
 * played by raw sockets: peer A connects from 127.0.0.2 and receives its answers at a raw sink.
 */
import type { PluginInput } from '@openmmsc/core';
import { RawSmtpSink, rawHeader, recordingPushBearer, sendSmtp, startTestMmsc, waitFor, type SmtpExchange, type SunkMail, type TestMmsc } from '@openmmsc/testkit';
import mm5 from '@openmmsc/plugin-mm5';
import mm4, { mm4Port, type Mm4OptionsInput, type PeerOptions } from '../src/index.js';
import { DOMAIN_A, DOMAIN_B } from './helpers.js';

export const THIRD = 'mms.third.example';

export interface PeerFixture {
  t: TestMmsc;
  port: number;
  /** Where peer A (and the ranged peer) receive what we send them. */
  sink: RawSmtpSink;
  /** Where the third operator's MMSC would receive a relayed forward. */
  thirdSink: RawSmtpSink;
  push: ReturnType<typeof recordingPushBearer>;
  /** Sends as peer A (from 127.0.0.2, MAIL FROM its system) to one of our subscribers, unless told otherwise. */
  send(raw: string, o?: { from?: string; rcpt?: string[]; localAddress?: string }): Promise<SmtpExchange>;
  /** Waits for the MM4_forward.RES we send for a transaction. */
  resFor(transactionId: string): Promise<SunkMail>;
  stop(): Promise<void>;
}

export async function startPeerFixture(o: { extraPlugins?: PluginInput[]; mm4?: Partial<Mm4OptionsInput>; peerA?: Partial<PeerOptions>; pushPlugin?: PluginInput } = {}): Promise<PeerFixture> {
  const sink = await new RawSmtpSink().start();
  const thirdSink = await new RawSmtpSink().start();
  const push = recordingPushBearer();
  const t = await startTestMmsc({
    config: { jobs: { deliver: { backoffBase: 50, backoffMax: 200, maxAttempts: 2 } } },
    plugins: [
      ...(o.extraPlugins ?? []),
      {
        plugin: mm5,
        options: {
          localDomains: [DOMAIN_B],
          resolvers: [{ type: 'prefix', routes: [{ prefix: '+1666', target: 'local' }, { prefix: '+1777', target: 'mm4', destination: THIRD }] }],
          unmatched: 'reject',
        },
      },
      {
        plugin: mm4,
        options: {
          domain: DOMAIN_B,
          responseRetries: 2,
          server: { host: '127.0.0.1', port: 0 },
          peers: [
            { domain: DOMAIN_A, host: '127.0.0.1', port: sink.port, addresses: ['127.0.0.2'], ...o.peerA },
            { domain: 'mms.ranged.example', host: '127.0.0.1', port: sink.port, addresses: ['127.0.0.4'], originators: { numbers: ['+1888', '+19990000000-+19990000999'] } },
            { domain: THIRD, host: '127.0.0.1', port: thirdSink.port, addresses: ['127.0.0.5'] },
          ],
          ...o.mm4,
        },
      },
      o.pushPlugin ?? push.plugin,
    ],
  });
  return {
    t,
    port: mm4Port(t.mmsc)!,
    sink,
    thirdSink,
    push,
    send: (raw, so = {}) =>
      sendSmtp({ port: mm4Port(t.mmsc)!, localAddress: so.localAddress ?? '127.0.0.2', mailFrom: so.from ?? `system-user@${DOMAIN_A}`, rcptTo: so.rcpt ?? [`+16660000001/TYPE=PLMN@${DOMAIN_B}`], data: raw }),
    resFor: (transactionId) =>
      waitFor(`the MM4_forward.RES for ${transactionId}`, () =>
        sink.mails.find((m) => rawHeader(m.raw, 'X-Mms-Message-Type') === 'MM4_forward.RES' && rawHeader(m.raw, 'X-Mms-Transaction-ID') === transactionId),
      ),
    async stop() {
      await t.stop();
      await sink.stop();
      await thirdSink.stop();
    },
  };
}

let counter = 0;

export interface ForwardSpec {
  from?: string;
  to?: string;
  transactionId?: string;
  originatorSystem?: string | null;
  ack?: boolean;
  /** Extra header lines. */
  headers?: string[];
  /** Content-Type line and body; default: a SMIL + text multipart/related. */
  contentType?: string;
  body?: string;
}

/** A hand-written MM4_forward.REQ from peer A (RFC 5322 with X-Mms-* headers, CRLF). */
export function forwardReq(s: ForwardSpec = {}): { raw: string; transactionId: string } {
  const transactionId = s.transactionId ?? `tx-${++counter}-${Date.now().toString(36)}`;
  const lines = [
    'X-Mms-3GPP-MMS-Version: 6.3.0',
    'X-Mms-Message-Type: MM4_forward.REQ',
    `X-Mms-Transaction-ID: ${transactionId}`,
    `X-Mms-Message-ID: <${transactionId}@${DOMAIN_A}>`,
    `From: ${s.from ?? `+15550000001/TYPE=PLMN@${DOMAIN_A}`}`,
    `To: ${s.to ?? `+16660000001/TYPE=PLMN@${DOMAIN_B}`}`,
    'Subject: policy test',
    'Date: Mon, 07 Dec 2026 10:00:00 +0000',
    `X-Mms-Ack-Request: ${s.ack === false ? 'No' : 'Yes'}`,
    ...(s.originatorSystem === null ? [] : [`X-Mms-Originator-System: ${s.originatorSystem ?? `system-user@${DOMAIN_A}`}`]),
    `Message-ID: <${transactionId}@${DOMAIN_A}>`,
    ...(s.headers ?? []),
    'MIME-Version: 1.0',
    s.contentType ?? 'Content-Type: multipart/related; type="application/smil"; start="<smil>"; boundary="b-1"',
    '',
    s.body ??
      [
        '--b-1',
        'Content-Type: application/smil',
        'Content-ID: <smil>',
        'Content-Location: smil.xml',
        '',
        '<smil><body><par><text src="text.txt"/></par></body></smil>',
        '--b-1',
        'Content-Type: text/plain; charset=utf-8',
        'Content-ID: <text>',
        'Content-Location: text.txt',
        '',
        'hello from A',
        '--b-1--',
        '',
      ].join('\r\n'),
  ];
  return { raw: lines.join('\r\n'), transactionId };
}
