export {
  SimulatedHandset,
  type SimulatedHandsetOptions,
  type HandsetMode,
  type HandsetEvent,
  type ReceivedMessage,
  type ReceivedNotification,
  type SendSpec,
  type SendResult,
  type ForwardResult,
  type HandsetSms,
  type SmsSource,
} from './simulated-handset.js';
export { handsetPushBearer } from './direct-push.js';
export { HttpClient, type HttpResult, type HttpOptions } from './http-client.js';
export { decodeGsm7, decodeSmsText } from './gsm7.js';
export { makePng, makeWav } from './media.js';
