/**
 * SMPP 3.4 command_status values (section 5.1.3) with their names, and how a submit_sm_resp
 * error is treated: `retry` (a temporary condition: try again later, maybe on another link) or
 * `fail` (the SMSC will never take this message for this recipient).
 */
export type StatusClass = 'retry' | 'fail';

interface StatusInfo {
  name: string;
  text: string;
  class: StatusClass;
}

const S = (name: string, text: string, cls: StatusClass): StatusInfo => ({ name, text, class: cls });

/** SMPP 3.4 error codes. */
export const SMPP_STATUS: ReadonlyMap<number, StatusInfo> = new Map<number, StatusInfo>([
  [0x00, S('ESME_ROK', 'no error', 'retry')],
  [0x01, S('ESME_RINVMSGLEN', 'message length is invalid', 'fail')],
  [0x02, S('ESME_RINVCMDLEN', 'command length is invalid', 'fail')],
  [0x03, S('ESME_RINVCMDID', 'invalid command id', 'fail')],
  [0x04, S('ESME_RINVBNDSTS', 'incorrect bind status for this command', 'retry')],
  [0x05, S('ESME_RALYBND', 'ESME already bound', 'retry')],
  [0x06, S('ESME_RINVPRTFLG', 'invalid priority flag', 'fail')],
  [0x07, S('ESME_RINVREGDLVFLG', 'invalid registered delivery flag', 'fail')],
  [0x08, S('ESME_RSYSERR', 'system error', 'retry')],
  [0x0a, S('ESME_RINVSRCADR', 'invalid source address', 'fail')],
  [0x0b, S('ESME_RINVDSTADR', 'invalid destination address', 'fail')],
  [0x0c, S('ESME_RINVMSGID', 'message id is invalid', 'fail')],
  [0x0d, S('ESME_RBINDFAIL', 'bind failed', 'retry')],
  [0x0e, S('ESME_RINVPASWD', 'invalid password', 'retry')],
  [0x0f, S('ESME_RINVSYSID', 'invalid system id', 'retry')],
  [0x11, S('ESME_RCANCELFAIL', 'cancel_sm failed', 'fail')],
  [0x13, S('ESME_RREPLACEFAIL', 'replace_sm failed', 'fail')],
  [0x14, S('ESME_RMSGQFUL', 'message queue full', 'retry')],
  [0x15, S('ESME_RINVSERTYP', 'invalid service type', 'fail')],
  [0x33, S('ESME_RINVNUMDESTS', 'invalid number of destinations', 'fail')],
  [0x34, S('ESME_RINVDLNAME', 'invalid distribution list name', 'fail')],
  [0x40, S('ESME_RINVDESTFLAG', 'invalid destination flag', 'fail')],
  [0x42, S('ESME_RINVSUBREP', 'invalid submit with replace request', 'fail')],
  [0x43, S('ESME_RINVESMCLASS', 'invalid esm_class field data', 'fail')],
  [0x44, S('ESME_RCNTSUBDL', 'cannot submit to distribution list', 'fail')],
  [0x45, S('ESME_RSUBMITFAIL', 'submit_sm or submit_multi failed', 'fail')],
  [0x48, S('ESME_RINVSRCTON', 'invalid source address TON', 'fail')],
  [0x49, S('ESME_RINVSRCNPI', 'invalid source address NPI', 'fail')],
  [0x50, S('ESME_RINVDSTTON', 'invalid destination address TON', 'fail')],
  [0x51, S('ESME_RINVDSTNPI', 'invalid destination address NPI', 'fail')],
  [0x53, S('ESME_RINVSYSTYP', 'invalid system_type field', 'fail')],
  [0x54, S('ESME_RINVREPFLAG', 'invalid replace_if_present flag', 'fail')],
  [0x55, S('ESME_RINVNUMMSGS', 'invalid number of messages', 'fail')],
  [0x58, S('ESME_RTHROTTLED', 'throttling error (ESME has exceeded allowed message limits)', 'retry')],
  [0x61, S('ESME_RINVSCHED', 'invalid scheduled delivery time', 'fail')],
  [0x62, S('ESME_RINVEXPIRY', 'invalid message validity period', 'fail')],
  [0x63, S('ESME_RINVDFTMSGID', 'predefined message invalid or not found', 'fail')],
  [0x64, S('ESME_RX_T_APPN', 'ESME receiver temporary application error', 'retry')],
  [0x65, S('ESME_RX_P_APPN', 'ESME receiver permanent application error', 'fail')],
  [0x66, S('ESME_RX_R_APPN', 'ESME receiver reject message error', 'fail')],
  [0x67, S('ESME_RQUERYFAIL', 'query_sm request failed', 'fail')],
  [0xc0, S('ESME_RINVOPTPARSTREAM', 'error in the optional part of the PDU body', 'fail')],
  [0xc1, S('ESME_ROPTPARNOTALLWD', 'optional parameter not allowed', 'fail')],
  [0xc2, S('ESME_RINVPARLEN', 'invalid parameter length', 'fail')],
  [0xc3, S('ESME_RMISSINGOPTPARAM', 'expected optional parameter missing', 'fail')],
  [0xc4, S('ESME_RINVOPTPARAMVAL', 'invalid optional parameter value', 'fail')],
  [0xfe, S('ESME_RDELIVERYFAILURE', 'delivery failure', 'fail')],
  [0xff, S('ESME_RUNKNOWNERR', 'unknown error', 'retry')],
]);

export const ESME_RTHROTTLED = 0x58;
export const ESME_RMSGQFUL = 0x14;

/** `ESME_RINVDSTADR (0x0000000B, invalid destination address)`. */
export function describeStatus(status: number): string {
  const info = SMPP_STATUS.get(status);
  const hex = `0x${status.toString(16).toUpperCase().padStart(8, '0')}`;
  if (info) return `${info.name} (${hex}, ${info.text})`;
  if (status >= 0x400 && status <= 0x4ff) return `SMSC vendor-specific error ${hex}`;
  return `SMPP status ${hex}`;
}

/**
 * How a submit_sm_resp error is treated. `retryStatuses` / `failStatuses` from config override the
 * table; unknown codes (including the vendor range 0x400–0x4FF) are permanent unless listed in
 * `retryStatuses`.
 */
export function classifyStatus(status: number, overrides: { retry: readonly number[]; fail: readonly number[] }): StatusClass {
  if (overrides.retry.includes(status)) return 'retry';
  if (overrides.fail.includes(status)) return 'fail';
  return SMPP_STATUS.get(status)?.class ?? 'fail';
}
