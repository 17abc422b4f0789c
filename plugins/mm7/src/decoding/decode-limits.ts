import { availableParallelism } from 'node:os';
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

/**
 * Decoding threads for the `decodeThreads` option. `auto` gives a single-process node a thread
 * on a second core; a node of several workers (`worker` set) already has a process per core,
 * where a thread each measured slower (bench/mm7 README: two workers on two cores, 8–21 % fewer
 * requests per second with a thread each).
 */
export function decodeThreadCount(option: Mm7Options['decodeThreads'], worker: number | undefined, cores = availableParallelism()): number {
  if (option !== 'auto') return option;
  return worker === undefined && cores > 1 ? 1 : 0;
}
