import type { JsonObject } from '../services/job-queue.js';

export function messageRef(data: JsonObject): { messageId: string; index: number } {
  const messageId = data.messageId;
  const index = data.index;
  if (typeof messageId !== 'string' || typeof index !== 'number') throw new Error('job data lacks messageId/index');
  return { messageId, index };
}
