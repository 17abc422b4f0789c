/**
 * @openmmsc/codec: the binary layer of MM1. MMS Encapsulation 1.3 PDUs, WSP content types and
 * multipart, WAP Push, WDP over SMS (segmentation and reassembly).
 */
export {
  CodecDecodeError,
  CodecEncodeError,
  WspDecodeError,
  WspEncodeError,
  MmsDecodeError,
  MmsEncodeError,
  PushDecodeError,
  PushEncodeError,
  isStructural,
  type MmsDecodeErrorReason,
} from './errors.js';

// MMS PDUs
export { decodePdu } from './mms/decode.js';
export { encodePdu, encodePduVectored, encodePduChunks, type EncodeOptions } from './mms/encode.js';
export { INLINE_BODY_BYTES, type EncodedChunks } from './wsp/writer.js';
export * from './mms/constants.js';
export type * from './mms/types.js';
export { partContent, partText, startPart } from './mms/parts.js';
export { pduToJson, pduFromJson, toJson, type JsonValue, type JsonObject } from './json.js';

// WSP
export { contentType, formatContentType, type ContentType, type ContentTypeParams, type Part } from './model.js';
export { isMultipart } from './wsp/content-type.js';
export type { WspPart, DecodeWarning } from './wsp/multipart.js';
export type { PartHeaders, ContentDisposition, WspHeader } from './wsp/headers.js';
export { CHARSETS, charsetMib, charsetName, decodeCharset, encodeCharset, isCharsetSupported } from './wsp/charsets.js';
export { WELL_KNOWN_CONTENT_TYPES, WAP_APPLICATION_IDS, WSP_HEADER_NAMES } from './wsp/tables.js';

// WAP Push and SMS
export {
  decodeWapPush,
  encodeWapPush,
  isWapPush,
  isMmsPush,
  WSP_PDU_TYPE,
  MMS_CONTENT_TYPE,
  MMS_APPLICATION_ID,
  type WapPush,
  type WapPushOptions,
} from './push/wsp-push.js';
export {
  parseUdh,
  parseUdhElements,
  buildUdh,
  WAP_PUSH_PORT,
  WAP_WSP_PORT,
  type Udh,
  type UdhElement,
  type UdhConcat,
  type UdhPorts,
} from './push/udh.js';
export {
  segmentForSms,
  SmsReassembler,
  SMS_USER_DATA_OCTETS,
  type SegmentOptions,
  type ReassembledSms,
  type ReassemblerOptions,
} from './push/sms.js';
export {
  encodeSmsDeliver,
  encodeSmsSubmit,
  decodeSmsTpdu,
  type SmsDeliver,
  type SmsSubmit,
  type SmsTpdu,
} from './push/tpdu.js';
