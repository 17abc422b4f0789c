import type { MultipartContext } from '../wsp/multipart.js';

/** State of one decodePdu call, shared by the header, field and body decoders. */
export interface DecodeContext extends MultipartContext {
  strict: boolean;
}

/** The PDU being built, by field key. */
export type Bag = Record<string, unknown>;
