import type { DecodeLimits } from '@openmmsc/mm7';
import type { Mm7Options } from '../options.js';

/** Bodies an MM7 server accepts; any other is answered 4003. */
const REQUESTS = ['SubmitReq', 'CancelReq', 'ReplaceReq', 'extendedCancelReq', 'extendedReplaceReq', 'Fault'];

/** The decoder's limits from the plugin's `limits` options. */
export function decodeLimits(l: Mm7Options['limits']): DecodeLimits {
  return {
    xml: { maxBytes: l.maxXmlSize, maxDepth: l.maxXmlDepth, maxElements: 50_000 },
    mime: { maxParts: l.maxMimeParts, maxDepth: l.maxMimeDepth, maxHeaderBytes: 16 * 1024 },
    accept: new Set(REQUESTS),
  };
}

