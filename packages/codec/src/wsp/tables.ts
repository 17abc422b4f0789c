/**
 * WSP assigned numbers (WAP-230-WSP Appendix A, OMA WINA registry). Numbers as listed in
 * Wireshark's packet-wsp.c; the code here is our own.
 */

/** Well-known media types (Content-Type short-integer / integer values). */
export const WELL_KNOWN_CONTENT_TYPES: readonly (string | undefined)[] = [
  '*/*', 'text/*', 'text/html', 'text/plain', 'text/x-hdml', 'text/x-ttml', 'text/x-vCalendar', 'text/x-vCard',
  'text/vnd.wap.wml', 'text/vnd.wap.wmlscript', 'text/vnd.wap.wta-event', 'multipart/*', 'multipart/mixed',
  'multipart/form-data', 'multipart/byteranges', 'multipart/alternative', 'application/*', 'application/java-vm',
  'application/x-www-form-urlencoded', 'application/x-hdmlc', 'application/vnd.wap.wmlc',
  'application/vnd.wap.wmlscriptc', 'application/vnd.wap.wta-eventc', 'application/vnd.wap.uaprof',
  'application/vnd.wap.wtls-ca-certificate', 'application/vnd.wap.wtls-user-certificate',
  'application/x-x509-ca-cert', 'application/x-x509-user-cert', 'image/*', 'image/gif', 'image/jpeg', 'image/tiff',
  'image/png', 'image/vnd.wap.wbmp', 'application/vnd.wap.multipart.*', 'application/vnd.wap.multipart.mixed',
  'application/vnd.wap.multipart.form-data', 'application/vnd.wap.multipart.byteranges',
  'application/vnd.wap.multipart.alternative', 'application/xml', 'text/xml', 'application/vnd.wap.wbxml',
  'application/x-x968-cross-cert', 'application/x-x968-ca-cert', 'application/x-x968-user-cert', 'text/vnd.wap.si',
  'application/vnd.wap.sic', 'text/vnd.wap.sl', 'application/vnd.wap.slc', 'text/vnd.wap.co',
  'application/vnd.wap.coc', 'application/vnd.wap.multipart.related', 'application/vnd.wap.sia',
  'text/vnd.wap.connectivity-xml', 'application/vnd.wap.connectivity-wbxml', 'application/pkcs7-mime',
  'application/vnd.wap.hashed-certificate', 'application/vnd.wap.signed-certificate',
  'application/vnd.wap.cert-response', 'application/xhtml+xml', 'application/wml+xml', 'text/css',
  'application/vnd.wap.mms-message', 'application/vnd.wap.rollover-certificate', 'application/vnd.wap.locc+wbxml',
  'application/vnd.wap.loc+xml', 'application/vnd.syncml.dm+wbxml', 'application/vnd.syncml.dm+xml',
  'application/vnd.syncml.notification', 'application/vnd.wap.xhtml+xml', 'application/vnd.wv.csp.cir',
  'application/vnd.oma.dd+xml', 'application/vnd.oma.drm.message', 'application/vnd.oma.drm.content',
  'application/vnd.oma.drm.rights+xml', 'application/vnd.oma.drm.rights+wbxml', 'application/vnd.wv.csp+xml',
  'application/vnd.wv.csp+wbxml',
];

/** Registered (non-short) well-known media types, encoded as Long-integer. */
export const EXTRA_CONTENT_TYPES: ReadonlyMap<number, string> = new Map([
  [0x0201, 'application/vnd.uplanet.cacheop-wbxml'],
  [0x0202, 'application/vnd.uplanet.signal'],
  [0x0203, 'application/vnd.uplanet.alert-wbxml'],
  [0x0204, 'application/vnd.uplanet.list-wbxml'],
  [0x0205, 'application/vnd.uplanet.listcmd-wbxml'],
  [0x0206, 'application/vnd.uplanet.channel-wbxml'],
  [0x0207, 'application/vnd.uplanet.provisioning-status-uri'],
  [0x0208, 'x-wap.multipart/vnd.uplanet.header-set'],
  [0x0209, 'application/vnd.uplanet.bearer-choice-wbxml'],
  [0x020a, 'application/vnd.phonecom.mmc-wbxml'],
  [0x020b, 'application/vnd.nokia.syncset+wbxml'],
  [0x020c, 'image/x-up-wpng'],
  [0x0300, 'application/iota.mmc-wbxml'],
  [0x0301, 'application/iota.mmc-xml'],
]);

const ctByName = new Map<string, number>();
WELL_KNOWN_CONTENT_TYPES.forEach((n, i) => {
  if (n) ctByName.set(n.toLowerCase(), i);
});
for (const [k, v] of EXTRA_CONTENT_TYPES) ctByName.set(v.toLowerCase(), k);

/** Media type name for a well-known code, or undefined. */
export function contentTypeName(code: number): string | undefined {
  return code < WELL_KNOWN_CONTENT_TYPES.length ? WELL_KNOWN_CONTENT_TYPES[code] : EXTRA_CONTENT_TYPES.get(code);
}

/** Well-known code of a media type (case-insensitive), or -1. */
export function contentTypeCode(name: string): number {
  return ctByName.get(name) ?? ctByName.get(name.toLowerCase()) ?? -1;
}

/** WSP header field names by well-known code (WSP 1.1 .. 1.5). */
export const WSP_HEADER_NAMES: readonly string[] = [
  'Accept', 'Accept-Charset', 'Accept-Encoding', 'Accept-Language', 'Accept-Ranges', 'Age', 'Allow',
  'Authorization', 'Cache-Control', 'Connection', 'Content-Base', 'Content-Encoding', 'Content-Language',
  'Content-Length', 'Content-Location', 'Content-MD5', 'Content-Range', 'Content-Type', 'Date', 'Etag', 'Expires',
  'From', 'Host', 'If-Modified-Since', 'If-Match', 'If-None-Match', 'If-Range', 'If-Unmodified-Since', 'Location',
  'Last-Modified', 'Max-Forwards', 'Pragma', 'Proxy-Authenticate', 'Proxy-Authorization', 'Public', 'Range',
  'Referer', 'Retry-After', 'Server', 'Transfer-Encoding', 'Upgrade', 'User-Agent', 'Vary', 'Via', 'Warning',
  'WWW-Authenticate', 'Content-Disposition', 'X-Wap-Application-Id', 'X-Wap-Content-URI', 'X-Wap-Initiator-URI',
  'Accept-Application', 'Bearer-Indication', 'Push-Flag', 'Profile', 'Profile-Diff', 'Profile-Warning', 'Expect',
  'TE', 'Trailer', 'Accept-Charset', 'Accept-Encoding', 'Cache-Control', 'Content-Range', 'X-Wap-Tod',
  'Content-ID', 'Set-Cookie', 'Cookie', 'Encoding-Version', 'Profile-Warning', 'Content-Disposition',
  'X-WAP-Security', 'Cache-Control',
];

/** Well-known header codes we use by name. */
export const WSP_HEADER = {
  ContentLocation: 0x0e,
  ContentLength: 0x0d,
  ContentType: 0x11,
  Date: 0x12,
  ContentDisposition: 0x2e,
  ContentDisposition14: 0x45,
  XWapApplicationId: 0x2f,
  XWapContentUri: 0x30,
  XWapInitiatorUri: 0x31,
  PushFlag: 0x34,
  ContentId: 0x40,
  EncodingVersion: 0x43,
} as const;

/** Push application ids (OMNA registry). */
export const WAP_APPLICATION_IDS: ReadonlyMap<number, string> = new Map([
  [0x00, 'x-wap-application:*'],
  [0x01, 'x-wap-application:push.sia'],
  [0x02, 'x-wap-application:wml.ua'],
  [0x03, 'x-wap-application:wta.ua'],
  [0x04, 'x-wap-application:mms.ua'],
  [0x05, 'x-wap-application:push.syncml'],
  [0x06, 'x-wap-application:loc.ua'],
  [0x07, 'x-wap-application:syncml.dm'],
  [0x08, 'x-wap-application:drm.ua'],
  [0x09, 'x-wap-application:emn.ua'],
  [0x0a, 'x-wap-application:wv.ua'],
  [0x8000, 'x-wap-microsoft:localcontent.ua'],
  [0x8001, 'x-wap-microsoft:IMclient.ua'],
  [0x8002, 'x-wap-docomo:imode.mail.ua'],
  [0x8003, 'x-wap-docomo:imode.mr.ua'],
  [0x8004, 'x-wap-docomo:imode.mf.ua'],
  [0x8005, 'x-motorola:location.ua'],
  [0x8006, 'x-motorola:now.ua'],
  [0x8007, 'x-motorola:otaprov.ua'],
  [0x8008, 'x-motorola:browser.ua'],
  [0x8009, 'x-motorola:splash.ua'],
  [0x800b, 'x-wap-nai:mvsw.command'],
  [0x8010, 'x-wap-openwave:iota.ua'],
  [0x9000, 'x-wap-docomo:imode.mail2.ua'],
  [0x9001, 'x-oma-nec:otaprov.ua'],
  [0x9002, 'x-oma-nokia:call.ua'],
  [0x9003, 'x-oma-coremobility:sqa.ua'],
]);
const appIdByName = new Map<string, number>();
for (const [k, v] of WAP_APPLICATION_IDS) appIdByName.set(v.toLowerCase(), k);
export function applicationIdCode(name: string): number {
  return appIdByName.get(name.toLowerCase()) ?? -1;
}

/**
 * Well-known parameters (WSP table 38): code -> [name, value kind].
 * Kinds: 'q' Q-value, 'charset' Well-known-charset, 'version' Version-value, 'int' Integer-value,
 * 'text' Text-string, 'textv' Text-value, 'ct' Constrained-encoding (media type), 'field' Field-name,
 * 'short' Short-integer, 'date' Date-value, 'delta' Delta-seconds-value, 'none' No-value.
 */
export type ParamKind =
  | 'q' | 'charset' | 'version' | 'int' | 'text' | 'textv' | 'ct' | 'field' | 'short' | 'date' | 'delta' | 'none';

export const WELL_KNOWN_PARAMS: readonly (readonly [string, ParamKind] | undefined)[] = [
  ['q', 'q'], // 0x00
  ['charset', 'charset'], // 0x01
  ['level', 'version'], // 0x02
  ['type', 'int'], // 0x03
  undefined, // 0x04
  ['name', 'text'], // 0x05 (WSP 1.1, deprecated)
  ['filename', 'text'], // 0x06 (deprecated)
  ['differences', 'field'], // 0x07
  ['padding', 'short'], // 0x08
  ['type', 'ct'], // 0x09 multipart/related type
  ['start', 'text'], // 0x0A (deprecated)
  ['start-info', 'text'], // 0x0B (deprecated)
  ['comment', 'text'], // 0x0C (deprecated)
  ['domain', 'text'], // 0x0D (deprecated)
  ['max-age', 'delta'], // 0x0E
  ['path', 'text'], // 0x0F (deprecated)
  ['secure', 'none'], // 0x10
  ['sec', 'short'], // 0x11
  ['mac', 'textv'], // 0x12
  ['creation-date', 'date'], // 0x13
  ['modification-date', 'date'], // 0x14
  ['read-date', 'date'], // 0x15
  ['size', 'int'], // 0x16
  ['name', 'textv'], // 0x17
  ['filename', 'textv'], // 0x18
  ['start', 'textv'], // 0x19
  ['start-info', 'textv'], // 0x1A
  ['comment', 'textv'], // 0x1B
  ['domain', 'textv'], // 0x1C
  ['path', 'textv'], // 0x1D
];

/**
 * Codes the encoder uses for a parameter name. For name/filename/start/start-info/comment/domain/path
 * we write the WSP 1.1/1.2 codes with Text-string values (as Android's PduComposer does): every
 * decoder reads them, including old handsets that predate the WSP 1.4 codes 0x17..0x1D. Anything
 * not listed here is written in text form.
 */
export const PARAM_ENCODE: ReadonlyMap<string, number> = new Map([
  ['q', 0x00],
  ['charset', 0x01],
  ['level', 0x02],
  ['differences', 0x07],
  ['padding', 0x08],
  ['type', 0x09],
  ['max-age', 0x0e],
  ['secure', 0x10],
  ['sec', 0x11],
  ['mac', 0x12],
  ['creation-date', 0x13],
  ['modification-date', 0x14],
  ['read-date', 0x15],
  ['size', 0x16],
  ['name', 0x05],
  ['filename', 0x06],
  ['start', 0x0a],
  ['start-info', 0x0b],
  ['comment', 0x0c],
  ['domain', 0x0d],
  ['path', 0x0f],
]);
