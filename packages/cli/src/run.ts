import { main } from './program.js';

// `openmmsc decode big.mms | head`: the reader went away before the output ended. Like other
// Unix tools, stop quietly (exit 0, no stack trace) instead of dying on EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  process.stderr.write(`error: writing the output: ${error.message}\n`);
  process.exit(1);
});
process.stderr.on('error', () => {
  /* nowhere left to report it */
});

process.exitCode = await main(process.argv);
