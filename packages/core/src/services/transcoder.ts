import type { MmsPart } from '../model/message.js';
import type { RecipientRecord } from '../model/recipient-state.js';
import type { StoredMessage } from './message-store.js';

/** What the recipient's side can show; absent fields mean "no limit known". */
export interface Capabilities {
  /** Adaptation class name, used to cache variants (`100k`, `300k`, `peer:mnc001`, …). */
  class: string;
  maxMessageSize?: number;
  maxImageWidth?: number;
  maxImageHeight?: number;
  accept?: readonly string[];
  charsets?: readonly string[];
}

export interface TranscodeRequest {
  message: Pick<StoredMessage, 'id' | 'headers' | 'size'>;
  parts: readonly MmsPart[];
  recipient: Pick<RecipientRecord, 'address' | 'route'>;
  capabilities: Capabilities;
  signal: AbortSignal;
}

/** `undefined` means the original parts fit as they are. */
export type TranscodeResult = { parts: MmsPart[]; notes?: string[] } | undefined;

export interface Transcoder {
  readonly name: string;
  transcode(request: TranscodeRequest): Promise<TranscodeResult>;
  /** The capabilities the transcoder assumes for a recipient, when it knows them at route time. */
  capabilitiesFor?(recipient: Pick<RecipientRecord, 'address' | 'route'>): Capabilities | undefined;
}
