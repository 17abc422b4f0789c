export { startTestMmsc, type TestMmsc, type TestMmscOptions } from './test-mmsc.js';
export { buildMessage, type MessageSpec } from './build-message.js';
export { waitFor } from './wait-for.js';
export { recordingPushBearer, recordingReportSender } from './recording-plugins.js';
export { SimulatedSmsc, type SubmittedSms, type RefusedSms, type BindRecord, type SimulatedSmscOptions, type SimulatedSmscEvents } from './smsc/simulated-smsc.js';
export { startRedis, skipRedis, type RedisServer } from './redis-server.js';
