import { duration } from '@openmmsc/core';
import { z } from 'zod';

const ton = z.number().int().min(0).max(6);
const npi = z.number().int().min(0).max(18);
const status = z.number().int().min(0).max(0xffffffff);

export const linkOptions = z.object({
  name: z.string().min(1).optional().describe('Name of the link in logs and metrics (default `host:port`).'),
  host: z.string().min(1).describe('SMSC host name or address.'),
  port: z.number().int().min(1).max(65535).default(2775).describe('SMSC SMPP port.'),
  systemId: z.string().max(15).describe('system_id to bind with.'),
  password: z.string().max(8).default('').describe('Password to bind with (SMPP 3.4 allows at most 8 characters).'),
  systemType: z.string().max(12).default('').describe('system_type to bind with (often empty, or `VMA` / `WAP`).'),
  bindMode: z.enum(['transceiver', 'transmitter']).default('transceiver').describe('`transceiver` also receives delivery receipts on this link; `transmitter` only sends.'),
  sourceAddr: z.string().max(20).default('').describe('source_addr of every SMS (a short code, a number, or an alphanumeric sender).'),
  sourceTon: ton.default(0).describe('source_addr_ton: 0 unknown, 1 international, 2 national, 3 network specific, 4 subscriber number, 5 alphanumeric, 6 abbreviated.'),
  sourceNpi: npi.default(0).describe('source_addr_npi: 0 unknown, 1 ISDN (E.164), 8 national, 9 private, 18 WAP client id.'),
  destTon: ton.default(1).describe('dest_addr_ton for recipients (1 international).'),
  destNpi: npi.default(1).describe('dest_addr_npi for recipients (1 ISDN/E.164).'),
  window: z.number().int().min(1).max(1000).default(10).describe('Most submit_sm awaiting their submit_sm_resp at once on this link; the window shrinks (halves) on each throttling answer and grows back by one per window of accepted submits.'),
  ratePerSecond: z.number().min(0).default(0).describe('Most submit_sm per second on this link (0 = no limit); bursts of a tenth of a second are allowed.'),
  enquireLinkMs: duration.prefault(30_000).describe('Send enquire_link this often to keep the link up and detect dead ones.'),
  responseTimeoutMs: duration.prefault(10_000).describe('Longest wait for a response (bind, submit_sm, enquire_link). A submit_sm or enquire_link without answer takes the link out of rotation at once (its submits move to the other links) and it reconnects; after an unanswered submit_sm it is back in rotation only when the SMSC answers one again.'),
  reconnect: z
    .object({
      baseMs: duration.prefault(1_000).describe('Delay before the first reconnect; doubles on each failure.'),
      maxMs: duration.prefault(60_000).describe('Longest delay between reconnects.'),
    })
    .prefault({})
    .describe('Reconnect back-off after the link drops or a bind fails.'),
});
export type LinkOptions = z.output<typeof linkOptions>;

export const pushSmppOptions = z.object({
  links: z.array(linkOptions).min(1).describe('SMSC links, in order of preference for `failover`.'),
  strategy: z
    .enum(['failover', 'round-robin'])
    .default('failover')
    .describe('`failover`: use the first bound link, the next only when it is down; `round-robin`: share the load over every bound link.'),
  registeredDelivery: z.boolean().default(true).describe('Ask the SMSC for delivery receipts (registered_delivery 1) and record them.'),
  numberFormat: z
    .enum(['international', 'international-plus'])
    .default('international')
    .describe('destination_addr of international numbers: digits only (`15550000002`) or with the plus (`+15550000002`).'),
  textDataCoding: z
    .enum(['auto', 'gsm7', 'ucs2'])
    .default('auto')
    .describe('Text SMS: `auto` = GSM 7-bit default alphabet (data_coding 0) when every character fits, else UCS-2 (0x08); `gsm7` replaces other characters by `?`; `ucs2` always.'),
  concatReference: z.enum(['8bit', '16bit']).default('8bit').describe('Concatenation reference size in the UDH of multi-part SMS (IEI 0x00 or 0x08).'),
  waitForLinkMs: duration.prefault(5_000).describe('How long a push waits for a link that can take it (bound, not paused by throttling, room in its window) before the kernel holds the notification (without using an attempt) until a link can.'),
  throttleRetryMs: duration.prefault(1_000).describe('After ESME_RTHROTTLED or ESME_RMSGQFUL: pause the link this long; while the SMSC keeps throttling, each pause doubles.'),
  throttleRetryMaxMs: duration.prefault('30s').describe('Longest pause of a link the SMSC keeps throttling: the SMSC sees at most one probe submit_sm per pause.'),
  retryStatuses: z.array(status).default([]).describe('submit_sm_resp statuses to treat as temporary on top of the built-in list (see README).'),
  failStatuses: z.array(status).default([]).describe('submit_sm_resp statuses to treat as permanent, overriding the built-in list.'),
  receiptTtlMs: duration.prefault('7d').describe('How long the SMSC message id → notification mapping is kept for delivery receipts.'),
});
export type PushSmppOptions = z.output<typeof pushSmppOptions>;
