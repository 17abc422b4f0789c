import type { ResultNotification } from './pap.js';

/** What is kept (in `ctx.kv`, key `push:<push-id>`) for each accepted push, to match result notifications. */
export interface PushRecord {
  messageId: string;
  recipient: string;
  kind: string;
  at: number;
}

/** A result notification as recorded (key `result:<push-id>`, and `result:<messageId>:<recipient>` when matched). */
export interface ResultRecord extends ResultNotification {
  at: number;
  messageId?: string;
  recipient?: string;
}
