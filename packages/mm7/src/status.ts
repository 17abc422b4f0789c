
/**
 * MM7 request status codes (3GPP TS 23.140, table of MM7 status codes): 1xxx success,
 * 2xxx client errors, 3xxx server errors, 4xxx service errors.
 */
export const MM7_STATUS = {
  1000: 'Success',
  1100: 'Partial success',
  2000: 'Client error',
  2001: 'Operation restricted',
  2002: 'Address Error',
  2003: 'Address Not Found',
  2004: 'Multimedia content refused',
  2005: 'Message ID Not found',
  2006: 'LinkedID not found',
  2007: 'Message format corrupt',
  2008: 'Application ID not found',
  2009: 'Reply Application ID not found',
  3000: 'Server Error',
  3001: 'Not Possible',
  3002: 'Message rejected',
  3003: 'Multiple addresses not supported',
  3004: 'Application Addressing not supported',
  4000: 'General service error',
  4001: 'Improper identification',
  4002: 'Unsupported version',
  4003: 'Unsupported operation',
  4004: 'Validation error',
  4005: 'Service error',
  4006: 'Service unavailable',
  4007: 'Service denied',
  4008: 'Application denied',
} as const satisfies Record<number, string>;

export type Mm7StatusCode = keyof typeof MM7_STATUS;

export function statusText(code: number): string {
  return (MM7_STATUS as Record<number, string>)[code] ?? (code < 2000 ? 'Success' : code < 3000 ? 'Client error' : code < 4000 ? 'Server Error' : 'General service error');
}

export function isSuccess(code: number): boolean {
  return code >= 1000 && code < 2000;
}

/**
 * Whether a failed status is worth trying again: server errors (3xxx) other than "not possible"
 * and "message rejected", and "service unavailable" (4006, the busy answer).
 */
export function isTransient(code: number): boolean {
  return code === 3000 || code === 4006 || (code >= 3000 && code < 4000 && code !== 3001 && code !== 3002 && code !== 3003 && code !== 3004);
}
