/** The handsets of the MM1 tests: numbers under the `+1555` prefix the rig routes to local phones. */
export const A = '+15550000001';
export const B = '+15550000002';
export const C = '+15550000003';
export const D = '+15550000004';
export const E = '+15550000005';

/** The content type of an MMS PDU on MM1 (OMA-TS-MMS-ENC 7). */
export const PDU_TYPE = 'application/vnd.wap.mms-message';

/** The headers a WAP gateway adds for a handset: its MSISDN, and any others the test names. */
export const as = (msisdn: string, more: Record<string, string> = {}) => ({ 'x-wap-network-client-msisdn': msisdn, ...more });
