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
  maxVideoSeconds?: number;
  maxAudioSeconds?: number;
  maxVideoWidth?: number;
  maxVideoHeight?: number;
  videoCodec?: 'h263' | 'h264';
}

/** HTTP request headers as node gives them (lower-case names). */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface RetrievalVariant {
  /** The adaptation class (cache key) of these parts. */
  variant: string;
  parts: MmsPart[];
  /** False when the originals already suit the handset (then `parts` are the originals). */
  adapted: boolean;
  notes: string[];
}

export interface TranscodeRequest {
  /** `expiresAt` is when links to the message's content stop opening (`ContentLinks`). */
  message: Pick<StoredMessage, 'id' | 'headers' | 'size'> & Partial<Pick<StoredMessage, 'expiresAt'>>;
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
  /** What a handset's fetch request says it can show (UAProf `x-wap-profile`/`Profile`, `Accept`). */
  capabilitiesFromRequest?(headers: RequestHeaders): Promise<Capabilities>;
  /** The message adapted for a handset at retrieval time (cached per class). */
  adaptForRetrieval?(input: { messageId: string; capabilities: Capabilities; signal?: AbortSignal }): Promise<RetrievalVariant | undefined>;
}
