#!/usr/bin/env node
// Prints the scrypt hash of a console password for `accounts[].passwordHash`.
// The password is read from stdin (a terminal prompt or a pipe), never from the command line,
// where it would stay in the shell history and the process list.
import { createInterface } from 'node:readline';
import { hashPassword } from './auth/password.js';

async function readPassword(): Promise<string> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  if (process.stdin.isTTY) process.stderr.write('password: ');
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}

try {
  process.stdout.write(`${await hashPassword(await readPassword())}\n`);
} catch (error) {
  process.stderr.write(`openmmsc-console-password: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
