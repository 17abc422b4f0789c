import type { MimeWarningSink } from './errors.js';

/** Bounds on what a reader builds from untrusted bytes. */
export interface MimeLimits {
  /** Body parts in the whole tree (multiparts included). */
  maxParts: number;
  /** Multipart nesting; the top-level entity is depth 0. */
  maxDepth: number;
  /** Bytes of one header block. */
  maxHeaderBytes: number;
}

export const DEFAULT_LIMITS: MimeLimits = { maxParts: 100, maxDepth: 5, maxHeaderBytes: 64 * 1024 };

/** How a reader reads. */
export interface ReadOptions {
  limits?: MimeLimits;
  /** Where deviations that were read past are reported. */
  warn?: MimeWarningSink;
  /**
   * Strict (the default) refuses structure that is incomplete — a multipart without its closing
   * boundary, base64 cut short, a malformed header line — with a `MimeError`. Lenient reads what is
   * there and reports a `truncated` warning instead; use it to salvage, never to accept traffic.
   */
  strict?: boolean;
}
