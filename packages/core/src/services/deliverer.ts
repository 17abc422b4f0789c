import type { MmsPart } from '../model/message.js';
import type { RecipientRecord } from '../model/recipient-state.js';
import type { Reason } from '../pipeline/verdict.js';
import type { StoredMessage } from './message-store.js';

export interface DeliveryRequest {
  message: StoredMessage;
  /** The parts adapted for this recipient's class, or the originals. */
  parts: MmsPart[];
  recipient: RecipientRecord;
  attempt: number;
  signal: AbortSignal;
}

export type DeliveryResult =
  /** Final: the recipient has it. */
  | { status: 'delivered'; reference?: string }
  /** Handed to the next hop (peer MMSC, mail relay); a report may follow. */
  | { status: 'forwarded'; reference?: string }
  | { status: 'retry'; reason: string; retryAfterMs?: number }
  | { status: 'rejected'; reason: Reason };

/** Delivers to recipients whose route target it owns (`mm4`, `mm3`, `mm7`, …). */
export interface Deliverer {
  readonly target: string;
  deliver(request: DeliveryRequest): Promise<DeliveryResult>;
}
