export { skipRedis, startRedis, type RedisServer } from '@openmmsc/testkit';
