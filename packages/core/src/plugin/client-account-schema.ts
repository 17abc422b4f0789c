import { z } from 'zod';
import { byteSize, duration } from '../config/schema-units.js';

/**
 * The options every account of a client interface has (MM7 VASPs, EAIF applications; see
 * `ClientAccount`), to spread into the plugin's account schema after its `id`. A plugin whose
 * wording differs re-describes a field: `throughput: clientAccountFields.throughput.describe(…)`.
 */
export const clientAccountFields = {
  username: z.string().min(1).optional().describe('HTTP Basic user name it submits with (default: its id).'),
  password: z.string().min(1).describe('HTTP Basic password it submits with.'),
  allowedIps: z.array(z.string().min(1)).default([]).describe('Addresses or CIDR blocks it may connect from (empty: any).'),
  shortCodes: z.array(z.string().min(1)).default([]).describe('Short codes it owns: allowed as sender, and messages to them are delivered to it.'),
  senderAddresses: z.array(z.string().min(1)).default([]).describe('Further sender addresses it may use (numbers, e-mail addresses).'),
  addresses: z.array(z.string().min(1)).default([]).describe('Further addresses whose messages are delivered to it.'),
  defaultSender: z.string().optional().describe('Sender when a submission names none (default: its first short code).'),
  throughput: z.number().min(0).default(0).describe('Submissions per second it may make (0: unlimited).'),
  burst: z.number().int().min(1).optional().describe('Token-bucket size (default: one second of throughput).'),
  maxMessageSize: byteSize.optional().describe('Largest message content it may submit (default: the kernel limit).'),
  maxRecipients: z.number().int().min(1).optional().describe('Most recipients per submission (default: the kernel limit).'),
};

/** How the MMSC reaches a client's own endpoint: the credentials it presents and its timeout. */
export const clientEndpointFields = {
  outboundAuth: z
    .strictObject({ username: z.string().describe('User name.'), password: z.string().describe('Password.') })
    .optional()
    .describe('HTTP Basic credentials we present to its endpoint.'),
  timeout: duration.prefault('30s').describe('HTTP timeout of requests to it.'),
};
