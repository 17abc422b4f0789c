// A raw SMPP 3.4 ESME for testing the simulated SMSC: PDUs written byte by byte from the
// specification (section 4), not with the `smpp` package the SMSC itself uses.
import { connect, type Socket } from 'node:net';

export interface RawPdu {
  commandId: number;
  status: number;
  sequence: number;
  body: Buffer;
}

export const cstr = (s: string) => Buffer.concat([Buffer.from(s, 'latin1'), Buffer.from([0])]);

export function pdu(commandId: number, sequence: number, body: Buffer, status = 0): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(16 + body.length, 0);
  header.writeUInt32BE(commandId >>> 0, 4);
  header.writeUInt32BE(status, 8);
  header.writeUInt32BE(sequence, 12);
  return Buffer.concat([header, body]);
}

/** bind_transceiver (0x00000009): system_id, password, system_type, interface_version 0x34, ton, npi, address_range. */
export function bindTransceiver(sequence: number, systemId: string, password: string): Buffer {
  return pdu(0x00000009, sequence, Buffer.concat([cstr(systemId), cstr(password), cstr('WAP'), Buffer.from([0x34, 0, 0]), cstr('')]));
}

/** submit_sm (0x00000004) with the fields in the order of SMPP 3.4 section 4.4.1. */
export function submitSm(sequence: number, to: string, esmClass: number, dataCoding: number, shortMessage: Buffer): Buffer {
  return pdu(
    0x00000004,
    sequence,
    Buffer.concat([
      cstr(''), // service_type
      Buffer.from([0x05, 0x00]), // source_addr_ton alphanumeric, npi unknown
      cstr('MMSC'),
      Buffer.from([0x01, 0x01]), // dest_addr_ton international, npi ISDN
      cstr(to),
      Buffer.from([esmClass, 0x00, 0x00]), // esm_class, protocol_id, priority_flag
      cstr(''), // schedule_delivery_time
      cstr(''), // validity_period
      Buffer.from([0x01, 0x00, dataCoding, 0x00, shortMessage.length]), // registered_delivery … sm_length
      shortMessage,
    ]),
  );
}

/** A TCP connection to an SMSC that reads whole PDUs. */
export class RawEsme {
  private buffer = Buffer.alloc(0);
  private readonly waiting: Array<(p: RawPdu) => void> = [];
  private readonly queued: RawPdu[] = [];
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<RawEsme> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawEsme(socket)));
      socket.once('error', reject);
    });
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next PDU from the SMSC (fails after `timeoutMs`). */
  next(timeoutMs = 3000): Promise<RawPdu> {
    const ready = this.queued.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no PDU from the SMSC')), timeoutMs);
      this.waiting.push((p) => {
        clearTimeout(timer);
        resolve(p);
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 16) {
      const length = this.buffer.readUInt32BE(0);
      if (this.buffer.length < length) return;
      const p: RawPdu = {
        commandId: this.buffer.readUInt32BE(4),
        status: this.buffer.readUInt32BE(8),
        sequence: this.buffer.readUInt32BE(12),
        body: this.buffer.subarray(16, length),
      };
      this.buffer = this.buffer.subarray(length);
      const waiter = this.waiting.shift();
      if (waiter) waiter(p);
      else this.queued.push(p);
    }
  }
}

/** Reads the C-strings and single bytes of a PDU body in order. */
export function fields(body: Buffer) {
  let at = 0;
  return {
    cstr(): string {
      const end = body.indexOf(0, at);
      const s = body.subarray(at, end).toString('latin1');
      at = end + 1;
      return s;
    },
    byte(): number {
      return body[at++]!;
    },
    rest(n: number): Buffer {
      const out = body.subarray(at, at + n);
      at += n;
      return out;
    },
  };
}
