/** Where commands write: results to stdout, progress and errors to stderr. */
export interface Output {
  print(text: string): void;
  info(text: string): void;
  error(text: string): void;
}

export const processOutput: Output = {
  print: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  info: (text) => void process.stderr.write(`${text}\n`),
  error: (text) => void process.stderr.write(`error: ${text}\n`),
};
