import assert from 'node:assert/strict';
import { it } from 'node:test';
import { updateReadmes } from '../config-docs.js';

it('option tables in READMEs match the zod schemas (run `pnpm docs:config` to regenerate)', async () => {
  assert.deepEqual(await updateReadmes(true), []);
});
