/** One submit_sm the simulated SMSC accepted. */
export interface SubmittedSms {
  sourceAddr: string;
  sourceTon: number;
  sourceNpi: number;
  /** As sent, e.g. `+15550000002` or `15550000002`. */
  destinationAddr: string;
  destTon: number;
  destNpi: number;
  esmClass: number;
  dataCoding: number;
  registeredDelivery: number;
  /** short_message as sent: the UDH (when esm_class has UDHI 0x40) then the user data. */
  shortMessage: Buffer;
  /** The id this SMSC answered in submit_sm_resp. */
  messageId: string;
  /** Epoch ms. */
  at: number;
  /** system_id of the session that sent it. */
  systemId: string;
  /** Which session (1, 2, …) sent it. */
  sessionId: number;
}

/** A submit_sm answered with an error status (throttled, failed) and not recorded in `submits`. */
export interface RefusedSms extends Omit<SubmittedSms, 'messageId'> {
  status: number;
}

export interface BindRecord {
  sessionId: number;
  mode: 'transceiver' | 'transmitter' | 'receiver';
  systemId: string;
  password: string;
  systemType: string;
  interfaceVersion: number;
  accepted: boolean;
  at: number;
}

export interface SimulatedSmscOptions {
  /** Accept binds only with this system_id (default: any). */
  systemId?: string;
  /** Accept binds only with this password (default: any). */
  password?: string;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Port; default 0 (a free one, see `port`). */
  port?: number;
  /** Delay before each submit_sm_resp (ms); default 0. Settable later through `responseDelayMs`. */
  responseDelayMs?: number;
}

export interface SimulatedSmscEvents {
  submit: [SubmittedSms];
  refused: [RefusedSms];
  bind: [BindRecord];
}
