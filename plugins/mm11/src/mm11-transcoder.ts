import type { Capabilities, RetrievalVariant, Transcoder } from '@openmmsc/core';
import type { AdaptationCapabilities } from './adapt.js';
import type { ToolSupport } from './tools.js';
import type { RequestHeaders } from './uaprof.js';

export type { RetrievalVariant } from '@openmmsc/core';

/**
 * The Transcoder this plugin provides, with what the MM1 plugin needs at retrieval time. Get it
 * with `ctx.service('Transcoder')` and check `isMm11Transcoder(t)`.
 */
export interface Mm11Transcoder extends Transcoder {
  readonly name: string;
  /** What a handset's request headers say it shows (UAProf `x-wap-profile`/`Profile`, else `Accept`). */
  capabilitiesFromRequest(headers: RequestHeaders): Promise<AdaptationCapabilities>;
  /**
   * The message's parts adapted for `capabilities`: the stored variant of that class when ready,
   * else the one being made (waited for), else made now and stored; one adaptation per class.
   */
  adaptForRetrieval(input: { messageId: string; capabilities: Capabilities; recipient?: number; signal?: AbortSignal }): Promise<RetrievalVariant | undefined>;
  /** Converters found at start (`undefined` before setup finished). */
  readonly tools: ToolSupport | undefined;
  /** URL of the STI server endpoint once started. */
  readonly stiUrl: string | undefined;
}

export function isMm11Transcoder(t: Transcoder | undefined): t is Mm11Transcoder {
  return !!t && typeof (t as Partial<Mm11Transcoder>).capabilitiesFromRequest === 'function' && typeof (t as Partial<Mm11Transcoder>).adaptForRetrieval === 'function';
}
