// Types for the parts of the `smpp` package (0.5.1, no bundled types) that OpenMMSC uses: the SMPP
// push bearer (client) and the testkit's simulated SMSC (server).
// The package is CommonJS: import its default export (`import smpp from 'smpp'`).
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  /** A PDU: header fields plus the command's parameters and TLVs as properties. */
  export interface SmppPdu {
    command: string;
    command_id: number;
    command_length: number;
    command_status: number;
    sequence_number: number;
    isResponse(): boolean;
    /** The response PDU to this request (generic_nack for an unknown command). */
    response(options?: Record<string, unknown>): SmppPdu;
    toBuffer(): Buffer;
    [field: string]: unknown;
  }

  export interface SmppPduConstructor {
    new (command: string, options?: Record<string, unknown>): SmppPdu;
    maxLength: number;
  }

  export interface SmppSession extends EventEmitter {
    socket: Socket;
    /** Sends a request (sequence number assigned here) or a response; false when the socket is not writable. */
    send(pdu: SmppPdu, responseCallback?: (pdu: SmppPdu) => void, sendCallback?: (pdu: SmppPdu) => void): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
    /** Set on sessions a server created. */
    server?: SmppServer;
  }

  export interface SmppServer extends NetServer {
    sessions: SmppSession[];
  }

  export interface ConnectOptions {
    host: string;
    port: number;
    /** Send enquire_link this often (ms); the push bearer does its own. */
    auto_enquire_link_period?: number;
  }

  export interface GsmCoder {
    encode(text: string, shift?: number): Buffer;
    decode(bytes: Buffer | string, shift?: number): string;
  }

  export interface SmppModule {
    connect(options: ConnectOptions, listener?: () => void): SmppSession;
    createServer(listener: (session: SmppSession) => void): SmppServer;
    createServer(options: Record<string, unknown>, listener: (session: SmppSession) => void): SmppServer;
    PDU: SmppPduConstructor;
    gsmCoder: GsmCoder;
    errors: Record<string, number>;
  }

  const smpp: SmppModule;
  export default smpp;
}
