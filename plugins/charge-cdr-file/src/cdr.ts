import { cdrBase, type CdrBase, type ChargingEvent } from '@openmmsc/core';

/**
 * The fields of a 3GPP TS 32.298 MMS record that a kernel event knows (core's `CdrBase`, which
 * `@openmmsc/plugin-mm8` extends too), and a report's status.
 */
export interface Cdr extends CdrBase {
  /** A report's status (retrieved, read, …). */
  status?: string;
}

export function toCdr(event: ChargingEvent, node: string): Cdr {
  const cdr: Cdr = cdrBase(event, node);
  if (event.status) cdr.status = event.status;
  return cdr;
}
