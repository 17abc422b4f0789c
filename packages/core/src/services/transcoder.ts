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
  /**
   * The stored message's parts for one class: the variant when it is ready, else the one being
   * made (waited for) or one made now; cached per class. `recipient` (an index) names who asked,
   * for the history entry written when a variant is made. A deferred transcoder (`adaptLater`)
   * must have it: the deliver job and MM1 get a variant that is not ready yet through it.
   */
  adaptForRetrieval?(input: { messageId: string; capabilities: Capabilities; recipient?: number; signal?: AbortSignal }): Promise<RetrievalVariant | undefined>;
  /**
   * Adapting after the message is stored, off the sender's path. When present, the transcode stage
   * only names each recipient's class (its `variant` attribute) while the sender waits; once the
   * message is stored the kernel hands over every class its recipients need, once per message, and
   * the transcoder makes the variants in the background and saves them (`saveVariant`; an empty
   * part list saved as a class's variant means "the originals suit it"). A failure here is logged,
   * never fails the submission: the variant is then made when first asked for.
   */
  adaptLater?(input: { messageId: string; capabilities: readonly Capabilities[] }): Promise<void>;
}
