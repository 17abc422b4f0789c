export { requireSystem, startRedis, type RedisServer } from '@openmmsc/testkit';
