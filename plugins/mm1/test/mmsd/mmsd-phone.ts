import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SubmittedSms } from '@openmmsc/testkit';
import { Child, SYSTEM_PYTHON, startBus, startChild } from './processes.js';
import { startWapGateway, type WapGateway } from './wap-gateway.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** One line phone.py printed: a signal of mmsd-tng or the mock, or a reply to a command. */
export interface PhoneEvent {
  event?: string;
  id?: number;
  path?: string;
  name?: string;
  value?: unknown;
  properties?: MmsdMessage;
  result?: unknown;
  error?: string;
}

/** Message properties as mmsd-tng gives them (Attachments as [id, type, base64 bytes]). */
export interface MmsdMessage {
  Status?: string;
  Sender?: string;
  Recipients?: string[];
  Subject?: string;
  Attachments?: Array<[string, string, string | null]>;
  'Delivery Report'?: boolean;
  'Delivery Status'?: string;
  [key: string]: unknown;
}

/** Something the SMSC was asked to deliver to this phone's number. */
interface SmsSource {
  on(event: 'submit', listener: (sms: SubmittedSms) => void): unknown;
  off(event: 'submit', listener: (sms: SubmittedSms) => void): unknown;
}

export interface MmsdPhoneOptions {
  msisdn: string;
  /** The MMSC URL handsets POST to (`…/mms`). */
  mmscUrl: string;
  /** The SMSC the MMSC pushes through: SMS for `msisdn` go to the phone's modem. */
  smsc: SmsSource;
  /** Per-wait limit, ms. */
  timeoutMs?: number;
}

/**
 * mmsd-tng as a phone: private system and session buses, a ModemManager mock (one modem with a
 * bearer on `lo`) that receives what the SMSC delivers to the phone's number, the operator's WAP
 * gateway (adds the MSISDN) as the MMS proxy, and phone.py as the user's D-Bus client.
 */
export class MmsdPhone {
  readonly events: PhoneEvent[] = [];
  private readonly children: Child[] = [];
  private readonly waiters = new Set<{ match: (e: PhoneEvent) => boolean; ok: (e: PhoneEvent) => void }>();
  private nextId = 0;
  private dir = '';
  private phone: Child | undefined;
  private mmsd: Child | undefined;
  gateway: WapGateway | undefined;
  private readonly onSubmit = (sms: SubmittedSms) => this.fromSmsc(sms);
  readonly smsErrors: string[] = [];

  private constructor(private readonly opts: MmsdPhoneOptions) {}

  static async start(opts: MmsdPhoneOptions): Promise<MmsdPhone> {
    const phone = new MmsdPhone(opts);
    try {
      await phone.boot();
    } catch (error) {
      const logs = phone.logs();
      await phone.stop();
      throw new Error(`${(error as Error).message}\n${logs}`);
    }
    return phone;
  }

  get timeoutMs(): number {
    return this.opts.timeoutMs ?? 15_000;
  }

  private async boot(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'openmmsc-mmsd-'));
    const home = join(this.dir, 'home');
    const runtime = join(this.dir, 'run');
    await mkdir(join(home, '.mms', 'modemmanager'), { recursive: true });
    await mkdir(runtime, { mode: 0o700 });
    const system = await startBus(this.dir, 'system');
    this.children.push(system.child);
    const session = await startBus(this.dir, 'session');
    this.children.push(session.child);
    this.gateway = await startWapGateway({ msisdn: this.opts.msisdn, mmscUrl: this.opts.mmscUrl });

    const imsi = '310150000000001';
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      HOME: home,
      XDG_RUNTIME_DIR: runtime,
      DBUS_SYSTEM_BUS_ADDRESS: system.address,
      DBUS_SESSION_BUS_ADDRESS: session.address,
    };
    const params = JSON.stringify({ OwnNumber: this.opts.msisdn, Imsi: imsi, OperatorIdentifier: '310150', Apn: 'mms.test', Interface: 'lo', Dns: '127.0.0.1' });
    this.children.push(startChild('ModemManager mock', SYSTEM_PYTHON, ['-m', 'dbusmock', '--template', join(HERE, 'modemmanager.py'), '-p', params], { env }));
    this.phone = startChild('phone.py', SYSTEM_PYTHON, [join(HERE, 'phone.py'), session.address, system.address], {
      env,
      stdin: 'pipe',
      onStdout: (line) => this.onLine(line),
    });
    this.children.push(this.phone);
    await this.waitFor('the ModemManager mock on the system bus', (e) => e.event === 'modemmanager');

    // mmsd-tng's settings: the MMSC, the MMS APN (must match the bearer's) and the WAP gateway as proxy.
    await writeFile(
      join(home, '.mms', 'modemmanager', 'mms'),
      [
        '[Modem Manager]',
        `CarrierMMSC=${this.opts.mmscUrl}`,
        'MMS_APN=mms.test',
        `CarrierMMSProxy=${this.gateway.hostPort}`,
        'DefaultModemNumber=NULL',
        'AutoProcessOnConnection=true',
        'AutoProcessSMSWAP=true',
        `IMSI=${imsi}`,
        '',
        '[Settings]',
        'UseDeliveryReports=false',
        'AutoCreateSMIL=true',
        '',
      ].join('\n'),
    );
    this.mmsd = startChild('mmsdtng', 'mmsdtng', ['-d'], { env });
    this.children.push(this.mmsd);
    await this.waitFor('mmsd-tng to register its MMS service', (e) => e.event === 'service');
    this.opts.smsc.on('submit', this.onSubmit);
  }

  private onLine(line: string): void {
    let event: PhoneEvent;
    try {
      event = JSON.parse(line) as PhoneEvent;
    } catch {
      return;
    }
    this.events.push(event);
    for (const w of this.waiters) {
      if (w.match(event)) {
        this.waiters.delete(w);
        w.ok(event);
      }
    }
  }

  /** The first event (already seen or to come) that matches; fails with the logs after the time limit. */
  waitFor(what: string, match: (e: PhoneEvent) => boolean, timeoutMs = this.timeoutMs): Promise<PhoneEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((ok, fail) => {
      const waiter = {
        match,
        ok: (e: PhoneEvent) => {
          clearTimeout(timer);
          ok(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        fail(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.logs()}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private async call(op: string, args: Record<string, unknown>): Promise<unknown> {
    const id = ++this.nextId;
    this.phone!.process.stdin!.write(`${JSON.stringify({ id, op, ...args })}\n`);
    const reply = await this.waitFor(`phone.py to answer ${op}`, (e) => e.id === id);
    if (reply.error !== undefined) throw new Error(`${op}: ${reply.error}`);
    return reply.result;
  }

  /** The radio delivers an SMS the SMSC was asked to send to this phone. */
  private fromSmsc(sms: SubmittedSms): void {
    if (sms.destinationAddr.replace(/\D/g, '') !== this.opts.msisdn.replace(/\D/g, '')) return;
    const udhi = (sms.esmClass & 0x40) !== 0;
    this.call('sms', { number: sms.sourceAddr, userData: sms.shortMessage.toString('hex'), udhi }).catch((error: Error) => this.smsErrors.push(error.message));
  }

  /** org.ofono.mms.Service.SendMessage: files are written into the phone's temp dir first. */
  async send(recipients: string[], attachments: Array<{ id: string; contentType: string; data: Uint8Array }>, options: Record<string, string | boolean> = {}): Promise<string> {
    const files: string[][] = [];
    for (const a of attachments) {
      const file = join(this.dir, `${this.nextId + 1}-${a.id}`);
      await writeFile(file, a.data);
      files.push([a.id, a.contentType, file]);
    }
    return (await this.call('send', { recipients, options, attachments: files })) as string;
  }

  async messages(): Promise<Array<[string, MmsdMessage]>> {
    return (await this.call('messages', {})) as Array<[string, MmsdMessage]>;
  }

  /** Logs of mmsd-tng, phone.py and the mock, and what passed the gateway: for failure messages. */
  logs(): string {
    const gateway = this.gateway?.exchanges.map((x) => `${x.method} ${x.url} -> ${x.status}`).join('\n') ?? '';
    return [this.mmsd?.tail(60), ...this.children.filter((c) => c !== this.mmsd && !c.name.startsWith('dbus')).map((c) => c.tail(15)), `--- WAP gateway ---\n${gateway}`, this.smsErrors.join('\n')]
      .filter(Boolean)
      .join('\n');
  }

  async stop(): Promise<void> {
    this.opts.smsc.off('submit', this.onSubmit);
    for (const child of [...this.children].reverse()) await child.stop();
    await this.gateway?.close();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
