import { byteSize, duration } from '@openmmsc/core';
import { z } from 'zod';

const quotaFields = {
  messages: z.number().int().min(0).describe('Most messages kept in one MMBox (0: nothing may be stored).'),
  bytes: byteSize.describe('Most bytes (the stored messages\' content together) kept in one MMBox.'),
};

/** Per-subscriber override of the MMBox quota (`subscribers[].mmboxQuota`). */
export const mmboxQuotaOverride = z
  .object({ messages: quotaFields.messages.optional(), bytes: quotaFields.bytes.optional() })
  .describe('This subscriber\'s MMBox quota, instead of `mmbox.quota` (each limit on its own).');

export const mmboxOptions = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe('Serve the MMBox (OMA MMS 1.2/1.3 network storage): X-Mms-Store on send, forward and receive, m-mbox-store/view/upload/delete-req, m-delete-req. `false` answers them Error-permanent-service-denied.'),
    expiry: duration
      .prefault('30d')
      .describe('How long a message stays in an MMBox from when it was stored; independent of the expiry of the message it was copied from.'),
    quota: z
      .object({
        messages: quotaFields.messages.default(500),
        bytes: quotaFields.bytes.prefault('50MB'),
      })
      .prefault({})
      .describe('Each subscriber\'s MMBox quota, enforced on every store (over it: X-Mms-Store-Status Error-permanent-mmbox-full); shown to the handset as X-Mms-Mbox-Quotas.'),
    maxViewSize: byteSize
      .prefault('300KB')
      .describe('Largest m-mbox-view-conf: entries that would make it larger are left out (X-Mms-Message-Count says how many it lists).'),
  })
  .prefault({})
  .describe('MMBox: a copy of what subscribers send and receive, kept in the message store for them.');

export const cancelOptions = z
  .object({
    push: z
      .boolean()
      .default(true)
      .describe('Push an m-cancel-req (MMS 1.3) to a handset notified of a message that is then cancelled (MM7 CancelReq) before it fetched it; its m-cancel-conf goes into the recipient\'s history.'),
  })
  .prefault({})
  .describe('Withdrawing notifications of cancelled messages.');
