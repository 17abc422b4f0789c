import { duration } from '@openmmsc/core';
import { z } from 'zod';

const regex = z.string().refine(
  (source) => {
    try {
      new RegExp(source, 'i');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression' },
);

const dialectFields = {
  expiry: z
    .enum(['relative', 'absolute'])
    .describe('X-Mms-Expiry in m-notification-ind: seconds from now (relative) or a date (absolute).'),
  acknowledgeStatus: z
    .union([z.literal(200), z.literal(204)])
    .describe('HTTP status answering m-notifyresp-ind, m-acknowledge-ind and m-read-rec-ind (no body either way).'),
  mmsVersion: z
    .string()
    .regex(/^1\.[0-3]$/)
    .describe('X-Mms-MMS-Version written in PDUs the MMSC originates for this handset (default: the plugin\'s `mmsVersion`).'),
  publicUrl: z
    .string()
    .url()
    .describe('Base URL of Content-Location (and report links) for this handset, when it reaches the MMSC elsewhere than `publicUrl`.'),
};

/** The wire choices every handset gets unless its class says otherwise. */
export const defaultDialect = z
  .object({
    expiry: dialectFields.expiry.default('relative'),
    acknowledgeStatus: dialectFields.acknowledgeStatus.default(200),
    mmsVersion: dialectFields.mmsVersion.optional(),
    publicUrl: dialectFields.publicUrl.optional(),
  })
  .prefault({});

const handsetClass = z.object({
  name: z.string().min(1).describe('Names the class.'),
  match: z
    .object({
      userAgent: z.array(regex).default([]).describe('Regular expressions (case-insensitive) tested against the User-Agent header.'),
      uaProf: z.array(regex).default([]).describe('Regular expressions (case-insensitive) tested against the UAProf URL (`x-wap-profile` / `Profile`).'),
      msisdn: z.array(z.string().min(2)).default([]).describe('MSISDN ranges as prefixes in international form, e.g. `+4917` or `+1555000`.'),
    })
    .prefault({})
    .describe('The class applies when any one of these matches.'),
  dialect: z
    .object({
      expiry: dialectFields.expiry.optional(),
      acknowledgeStatus: dialectFields.acknowledgeStatus.optional(),
      mmsVersion: dialectFields.mmsVersion.optional(),
      publicUrl: dialectFields.publicUrl.optional(),
    })
    .prefault({})
    .describe('Choices that differ from `handsets.dialect` for this class.'),
});

export const handsetsOptions = z
  .object({
    dialect: defaultDialect.describe('Wire choices for handsets no class matches: the ones the widest set of real clients accept.'),
    classes: z.array(handsetClass).default([]).describe('Handset classes with their own wire choices; the first that matches wins.'),
    remember: duration
      .prefault('30d')
      .describe('How long the last User-Agent / UAProf a subscriber\'s handset sent is kept, so notifications (pushed before any request) use its class; 0 = not kept.'),
  })
  .prefault({})
  .describe('Handset dialects: per-class wire choices (the handset-side twin of MM7\'s per-VASP dialects).');

export type HandsetsOptions = z.output<typeof handsetsOptions>;
export type HandsetClass = z.output<typeof handsetClass>;
