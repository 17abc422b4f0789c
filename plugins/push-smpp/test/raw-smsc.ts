import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * An SMSC written for these tests on a bare socket, independent of the `smpp` package the plugin
 * uses: it frames SMPP 3.4 PDUs by hand, answers binds and enquire_link, and lets each test decide
 * what happens to every submit_sm (answer, throttle, never answer, send a receipt first).
 */

const CMD = {
  bind_receiver: 0x00000001,
  bind_transmitter: 0x00000002,
  submit_sm: 0x00000004,
  deliver_sm: 0x00000005,
  unbind: 0x00000006,
  bind_transceiver: 0x00000009,
  enquire_link: 0x00000015,
  generic_nack: 0x80000000,
} as const;
const RESP = 0x80000000;

export const ESME_ROK = 0x00;
export const ESME_RTHROTTLED = 0x58;

export interface RawSubmit {
  destinationAddr: string;
  esmClass: number;
  registeredDelivery: number;
  shortMessage: Buffer;
  at: number;
  sequence: number;
  session: RawSession;
}

export interface RawSmscEvents {
  submit: [RawSubmit];
}

function cstring(buf: Buffer, at: number): [string, number] {
  const end = buf.indexOf(0, at);
  if (end < 0) throw new Error('unterminated C-Octet String');
  return [buf.toString('latin1', at, end), end + 1];
}

function cstr(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'latin1'), Buffer.from([0])]);
}

function pdu(commandId: number, status: number, sequence: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(16 + body.length, 0);
  header.writeUInt32BE(commandId >>> 0, 4);
  header.writeUInt32BE(status >>> 0, 8);
  header.writeUInt32BE(sequence >>> 0, 12);
  return Buffer.concat([header, body]);
}

/** submit_sm body, SMPP 3.4 section 4.4.1. */
function parseSubmit(body: Buffer): Omit<RawSubmit, 'at' | 'sequence' | 'session'> {
  let at = 0;
  [, at] = cstring(body, at); // service_type
  at += 2; // source_addr_ton, source_addr_npi
  [, at] = cstring(body, at); // source_addr
  at += 2; // dest_addr_ton, dest_addr_npi
  let destinationAddr: string;
  [destinationAddr, at] = cstring(body, at);
  const esmClass = body[at]!;
  at += 3; // esm_class, protocol_id, priority_flag
  [, at] = cstring(body, at); // schedule_delivery_time
  [, at] = cstring(body, at); // validity_period
  const registeredDelivery = body[at]!;
  at += 4; // registered_delivery, replace_if_present_flag, data_coding, sm_default_msg_id
  const length = body[at]!;
  at += 1;
  return { destinationAddr, esmClass, registeredDelivery, shortMessage: Buffer.from(body.subarray(at, at + length)) };
}

/** One bound ESME connection. */
export class RawSession {
  private nextSequence = 1;
  bound = false;

  constructor(readonly socket: Socket) {}

  /** A submit_sm_resp: ESME_ROK with the message id, or an error status without a body. */
  answerSubmit(s: RawSubmit, status: number, messageId = ''): void {
    this.write(pdu(CMD.submit_sm | RESP, status, s.sequence, status === ESME_ROK ? cstr(messageId) : Buffer.alloc(0)));
  }

  /** A deliver_sm carrying an SMSC delivery receipt (esm_class 0x04) with this text. */
  sendReceipt(text: string, to = '1234', from = '15550000002'): void {
    const sm = Buffer.from(text, 'latin1');
    const body = Buffer.concat([
      cstr(''), // service_type
      Buffer.from([1, 1]),
      cstr(from),
      Buffer.from([0, 0]),
      cstr(to),
      Buffer.from([0x04, 0, 0]), // esm_class: SMSC delivery receipt; protocol_id; priority_flag
      cstr(''),
      cstr(''),
      Buffer.from([0, 0, 0, 0, sm.length]), // registered_delivery, replace_if_present, data_coding, sm_default_msg_id, sm_length
      sm,
    ]);
    this.write(pdu(CMD.deliver_sm, 0, this.nextSequence++, body));
  }

  write(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }
}

export interface RawSmscOptions {
  /** Answer enquire_link (default true). */
  answerEnquireLink?: boolean;
  /** What to do with each submit_sm; default: answer ESME_ROK with a fresh id. */
  onSubmit?: (s: RawSubmit, smsc: RawSmsc) => void;
}

export class RawSmsc extends EventEmitter<RawSmscEvents> {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private ids = 0;
  port = 0;
  /** Every submit_sm received, whatever the answer. */
  readonly submits: RawSubmit[] = [];
  binds = 0;
  enquireLinks = 0;
  answerEnquireLink: boolean;
  onSubmit: (s: RawSubmit, smsc: RawSmsc) => void;

  constructor(options: RawSmscOptions = {}) {
    super();
    this.answerEnquireLink = options.answerEnquireLink ?? true;
    this.onSubmit = options.onSubmit ?? ((s, smsc) => s.session.answerSubmit(s, ESME_ROK, smsc.newId()));
  }

  /** A new SMSC message id (hex, as many SMSCs answer). */
  newId(): string {
    return (0x5000 + ++this.ids).toString(16);
  }

  get sessions(): number {
    return this.sockets.size;
  }

  /** Listens (again, on the same port once it has one). */
  async start(): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(this.port, '127.0.0.1', () => ok());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Goes away: stops listening and drops every connection (an SMSC that crashed). */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((ok) => server.close(() => ok()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    const session = new RawSession(socket);
    let buffered = Buffer.alloc(0);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 16) {
        const length = buffered.readUInt32BE(0);
        if (length < 16 || length > 64 * 1024) return void socket.destroy();
        if (buffered.length < length) return;
        const frame = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        this.handle(session, frame.readUInt32BE(4), frame.readUInt32BE(12), frame.subarray(16));
      }
    });
  }

  private handle(session: RawSession, commandId: number, sequence: number, body: Buffer): void {
    switch (commandId) {
      case CMD.bind_transceiver:
      case CMD.bind_transmitter:
      case CMD.bind_receiver:
        this.binds++;
        session.bound = true;
        session.write(pdu(commandId | RESP, 0, sequence, cstr('RAWSMSC')));
        return;
      case CMD.enquire_link:
        this.enquireLinks++;
        if (this.answerEnquireLink) session.write(pdu(CMD.enquire_link | RESP, 0, sequence));
        return;
      case CMD.unbind:
        session.write(pdu(CMD.unbind | RESP, 0, sequence));
        session.socket.end();
        return;
      case CMD.submit_sm: {
        const s: RawSubmit = { ...parseSubmit(body), at: Date.now(), sequence, session };
        this.submits.push(s);
        this.emit('submit', s);
        this.onSubmit(s, this);
        return;
      }
      default:
        if (commandId & RESP) return; // deliver_sm_resp, enquire_link_resp, …
        session.write(pdu(CMD.generic_nack, 0x03, sequence));
    }
  }
}

/** The text of an SMSC delivery receipt (SMPP 3.4 appendix B). */
export function receiptText(id: string, stat: string): string {
  return `id:${id} sub:001 dlvrd:001 submit date:2501011200 done date:2501011201 stat:${stat} err:000 text:`;
}
