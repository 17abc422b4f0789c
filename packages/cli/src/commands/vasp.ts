import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import type { MmsPart } from '@openmmsc/core';
import type { ClientAnswer, Mm7Client, ReleaseName, SubmitOptions } from '@openmmsc/mm7';
import { parseRecipientList, runCampaign as runBatches, type BatchAnswer, type CampaignSummary } from '@openmmsc/campaign';
import type { Output } from '../output.js';
import { UsageError, positiveInt } from '../usage.js';

// The MM7 client loads only when a vasp command runs.

const TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
  '.wbmp': 'image/vnd.wap.wbmp',
  '.txt': 'text/plain; charset=utf-8',
  '.smil': 'application/smil',
  '.smi': 'application/smil',
  '.amr': 'audio/amr',
  '.mp3': 'audio/mpeg',
  '.aac': 'audio/aac',
  '.mid': 'audio/midi',
  '.3gp': 'video/3gpp',
  '.mp4': 'video/mp4',
  '.vcf': 'text/x-vcard',
  '.vcs': 'text/x-vcalendar',
  '.pdf': 'application/pdf',
};

function contentTypeOf(file: string): { type: string; params: Record<string, string> } {
  const [type, ...rest] = (TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream').split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const [k, v] = p.split('=');
    if (k && v) params[k.trim()] = v.trim();
  }
  return { type: type!, params };
}

export interface VaspCommonOptions {
  url: string;
  vaspId: string;
  vasId?: string;
  user?: string;
  password?: string;
  release?: string;
  timeout?: string;
}

export interface SubmitCommandOptions extends VaspCommonOptions {
  from?: string;
  to?: string[];
  cc?: string[];
  bcc?: string[];
  toFile?: string;
  subject?: string;
  text?: string;
  file?: string[];
  deliveryReport?: boolean;
  readReply?: boolean;
  messageClass?: string;
  priority?: string;
  expiry?: string;
  serviceCode?: string;
  batch?: string;
  concurrency?: string;
  json?: boolean;
  progress?: boolean;
}

async function buildParts(opts: { text?: string; file?: string[] }): Promise<MmsPart[]> {
  const parts: MmsPart[] = [];
  if (opts.text !== undefined) parts.push({ contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, contentId: 'text', contentLocation: 'text.txt', data: Buffer.from(opts.text, 'utf8') });
  for (const [i, file] of (opts.file ?? []).entries()) {
    parts.push({ contentType: contentTypeOf(file), contentId: `part${i + 1}`, contentLocation: basename(file), data: await readFile(file) });
  }
  return parts;
}

async function makeClient(opts: VaspCommonOptions, connections: number): Promise<Mm7Client> {
  const { Mm7Client, isReleaseName } = await import('@openmmsc/mm7');
  const release = opts.release ?? 'REL-6-MM7-1-4';
  if (!isReleaseName(release)) throw new UsageError(`--release must be one of REL-5-MM7-1-0 … REL-6-MM7-1-4, not ${release}`);
  const password = opts.password ?? process.env.OPENMMSC_VASP_PASSWORD;
  return new Mm7Client({
    url: opts.url,
    vaspId: opts.vaspId,
    ...(opts.vasId ? { vasId: opts.vasId } : {}),
    ...(opts.user ? { username: opts.user } : {}),
    ...(password !== undefined ? { password } : {}),
    release: release as ReleaseName,
    connections,
    timeoutMs: opts.timeout ? Number.parseInt(opts.timeout, 10) * 1000 : 30_000,
  });
}

function describeAnswer(a: ClientAnswer): string {
  if (a.status) return `${a.status.code} ${a.status.text}`;
  return a.error ?? `HTTP ${a.httpStatus}`;
}

/** A one-line progress bar on stderr (redrawn in place on a terminal). */
class Progress {
  private last = 0;
  constructor(
    private readonly total: number,
    private readonly enabled: boolean,
    private readonly started = Date.now(),
  ) {}
  update(done: number, accepted: number, failed: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (done < this.total && now - this.last < 100) return;
    this.last = now;
    const width = 30;
    const filled = Math.round((done / this.total) * width);
    const rate = done / Math.max(0.001, (now - this.started) / 1000);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${this.total} recipients  ${accepted} accepted  ${failed} failed  ${rate.toFixed(0)}/s`;
    process.stderr.write(process.stderr.isTTY ? `\r${line}` : `${line}\n`);
    if (done >= this.total && process.stderr.isTTY) process.stderr.write('\n');
  }
}

export type { CampaignSummary } from '@openmmsc/campaign';

/** An MM7 SubmitRsp (or fault) as the campaign engine reads it: each recipient with its own status. */
export function mm7BatchAnswer(answer: ClientAnswer): BatchAnswer {
  const code = answer.status?.code;
  const accepted = code !== undefined && code >= 1000 && code < 2000;
  const out: BatchAnswer = { accepted, status: accepted ? '1000 accepted' : describeAnswer(answer) };
  if (answer.messageId) out.messageId = answer.messageId;
  const details = answer.status?.details ?? [];
  if (details.length) out.details = details.map((d) => ({ address: d.address, status: `${d.code} ${d.text ?? ''}`.trim(), accepted: d.code >= 1000 && d.code < 2000 }));
  return out;
}

/** Sends one SubmitReq per batch of recipients, `concurrency` at a time; counts per-recipient outcomes. */
export async function runCampaign(
  client: Mm7Client,
  recipients: readonly string[],
  base: SubmitOptions,
  opts: { batch: number; concurrency: number; progress: boolean },
): Promise<CampaignSummary> {
  const bar = new Progress(recipients.length, opts.progress);
  const { summary } = await runBatches(recipients, async (batch) => mm7BatchAnswer(await client.submit({ ...base, to: [...batch] })), {
    batch: opts.batch,
    concurrency: opts.concurrency,
    onProgress: (done, outcomes) => {
      let accepted = 0;
      for (const o of outcomes) if (o.accepted) accepted++;
      bar.update(done, accepted, done - accepted);
    },
  });
  return summary;
}

async function readNumbers(file: string): Promise<string[]> {
  return parseRecipientList(await readFile(file, 'utf8')).recipients;
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];

function common(cmd: Command): Command {
  return cmd
    .requiredOption('--url <url>', 'the MMSC\'s MM7 endpoint, e.g. http://mmsc:8007/mm7')
    .requiredOption('--vasp-id <id>', 'VASPID')
    .option('--vas-id <id>', 'VASID')
    .option('--user <name>', 'HTTP Basic user (default: the VASPID)')
    .option('--password <password>', 'HTTP Basic password (or OPENMMSC_VASP_PASSWORD)')
    .option('--release <release>', 'MM7 schema release, REL-5-MM7-1-0 … REL-6-MM7-1-4', 'REL-6-MM7-1-4')
    .option('--timeout <seconds>', 'HTTP timeout', positiveInt, '30');
}

/** `openmmsc vasp submit|cancel|replace`: an MM7 client for content providers. */
export function registerVaspCommands(program: Command, out: Output, setExit: (code: number) => void): void {
  const vasp = program.command('vasp').description('act as a VASP (content provider): send MM7 SubmitReq, CancelReq, ReplaceReq');

  /** One request on a client of its own: the answer printed; no status, or one of 2000 and up (an error), makes the exit code 1. */
  const sendOne = async (
    opts: VaspCommonOptions,
    send: (client: Mm7Client) => Promise<ClientAnswer>,
    print: (answer: ClientAnswer) => void = (answer) => out.print(describeAnswer(answer)),
  ): Promise<void> => {
    const client = await makeClient(opts, 1);
    try {
      const answer = await send(client);
      print(answer);
      if (!answer.status || answer.status.code >= 2000) setExit(1);
    } finally {
      await client.close();
    }
  };

  common(vasp.command('submit'))
    .description('send a SubmitReq; with --to-file, a campaign: one request per batch of numbers, with progress and a summary')
    .option('--from <address>', 'sender (short code or number the MMSC allows this VASP)')
    .option('--to <address>', 'recipient (repeatable, or comma-separated)', collect)
    .option('--cc <address>', 'Cc recipient', collect)
    .option('--bcc <address>', 'Bcc recipient', collect)
    .option('--to-file <file>', 'campaign: recipients, one per line (# comments allowed)')
    .option('--subject <text>', 'subject')
    .option('--text <text>', 'a text/plain part')
    .option('--file <file>', 'a part from a file (repeatable); type from the extension', collect)
    .option('--delivery-report', 'ask for delivery reports')
    .option('--read-reply', 'ask for read replies')
    .option('--message-class <class>', 'Personal, Informational, Advertisement or Auto')
    .option('--priority <priority>', 'Low, Normal or High')
    .option('--expiry <when>', 'ExpiryDate: xs:dateTime or xs:duration (P1D)')
    .option('--service-code <code>', 'ServiceCode (billing)')
    .option('--batch <n>', 'campaign: recipients per SubmitReq', positiveInt, '1')
    .option('--concurrency <n>', 'campaign: requests in flight', positiveInt, '8')
    .option('--json', 'print the result as JSON')
    .option('--no-progress', 'campaign: no progress bar')
    .action(async (opts: SubmitCommandOptions) => {
      const parts = await buildParts(opts);
      const base: SubmitOptions = { parts };
      if (opts.from) base.from = opts.from;
      if (opts.subject !== undefined) base.subject = opts.subject;
      if (opts.deliveryReport) base.deliveryReport = true;
      if (opts.readReply) base.readReply = true;
      if (opts.messageClass) base.messageClass = opts.messageClass as NonNullable<SubmitOptions['messageClass']>;
      if (opts.priority) base.priority = opts.priority as NonNullable<SubmitOptions['priority']>;
      if (opts.expiry) base.expiryDate = opts.expiry;
      if (opts.serviceCode) base.serviceCode = opts.serviceCode;
      if (opts.toFile) {
        const numbers = await readNumbers(opts.toFile);
        if (numbers.length === 0) throw new Error(`${opts.toFile} lists no recipients`);
        const concurrency = Math.max(1, Number.parseInt(opts.concurrency ?? '8', 10));
        const client = await makeClient(opts, concurrency);
        try {
          const summary = await runCampaign(client, numbers, base, {
            batch: Math.max(1, Number.parseInt(opts.batch ?? '1', 10)),
            concurrency,
            progress: opts.progress !== false && !opts.json,
          });
          if (opts.json) out.print(JSON.stringify(summary, null, 2));
          else {
            out.print(`${summary.recipients} recipients in ${summary.requests} requests, ${summary.seconds.toFixed(1)} s (${(summary.recipients / Math.max(summary.seconds, 0.001)).toFixed(0)} recipients/s)`);
            out.print(`accepted: ${summary.accepted}   rejected or failed: ${summary.rejected}`);
            for (const [status, n] of Object.entries(summary.byStatus).sort((a, b) => b[1] - a[1])) out.print(`  ${String(n).padStart(8)}  ${status}`);
          }
          if (summary.rejected > 0) setExit(1);
        } finally {
          await client.close();
        }
        return;
      }
      if (!opts.to?.length && !opts.cc?.length && !opts.bcc?.length) throw new UsageError('give --to (or --cc/--bcc), or --to-file for a campaign');
      await sendOne(
        opts,
        (client) => client.submit({ ...base, to: opts.to ?? [], cc: opts.cc ?? [], bcc: opts.bcc ?? [] }),
        (answer) => {
          if (opts.json) out.print(JSON.stringify({ httpStatus: answer.httpStatus, status: answer.status, messageId: answer.messageId, transactionId: answer.transactionId, error: answer.error }, null, 2));
          else {
            out.print(`${describeAnswer(answer)}${answer.messageId ? `\nMessageID: ${answer.messageId}` : ''}`);
            for (const d of answer.status?.details ?? []) out.print(`  ${d.address}: ${d.code} ${d.text ?? ''}`);
          }
        },
      );
    });

  common(vasp.command('cancel'))
    .description('send a CancelReq for a message this VASP submitted')
    .argument('<messageId>', 'MessageID from the SubmitRsp')
    .action((messageId: string, opts: VaspCommonOptions) => sendOne(opts, (client) => client.cancel(messageId)));

  common(vasp.command('replace'))
    .description('send a ReplaceReq: new content for a message not yet fetched')
    .argument('<messageId>', 'MessageID from the SubmitRsp')
    .option('--text <text>', 'a text/plain part')
    .option('--file <file>', 'a part from a file (repeatable)', collect)
    .action((messageId: string, opts: VaspCommonOptions & { text?: string; file?: string[] }) =>
      sendOne(opts, async (client) => client.replace(messageId, await buildParts(opts))),
    );
}
