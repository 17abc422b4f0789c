export class MimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MimeError';
  }
}

export interface MimeLimits {
  maxParts: number;
  maxDepth: number;
  maxHeaderBytes: number;
}

export const DEFAULT_LIMITS: MimeLimits = { maxParts: 100, maxDepth: 5, maxHeaderBytes: 64 * 1024 };
