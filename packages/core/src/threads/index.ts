// The entry point a thread's module imports (`@openmmsc/core/threads`): light, no kernel.
export { serveThread, type ThreadAnswer } from './serve-thread.js';
export { revivedBuffers, transferablesOf } from './buffers.js';
