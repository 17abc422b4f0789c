export { SimulatedHandset } from './simulated-handset.js';
export type {
  SimulatedHandsetOptions,
  HandsetMode,
  HandsetEvent,
  ReceivedMessage,
  ReceivedNotification,
  SendSpec,
  SendResult,
  ForwardResult,
  HandsetSms,
  SmsSource,
} from './handset-types.js';
export { handsetPushBearer } from './direct-push.js';
export { HttpClient, type HttpResult, type HttpOptions } from './http-client.js';
export { decodeGsm7, decodeSmsText } from './gsm7.js';
export { makePng, makeWav } from './media.js';
