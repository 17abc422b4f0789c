export { ThreadPool, ThreadStoppedError, type ThreadPoolOptions } from './thread-pool.js';
export { serveThread, type ThreadAnswer } from './serve-thread.js';
