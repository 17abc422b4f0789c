export { main, buildProgram } from './program.js';
export { startCommand, type StartHandle } from './commands/start.js';
export { checkCommand } from './commands/check.js';
export { processOutput, type Output } from './output.js';
