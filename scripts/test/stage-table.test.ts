import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PIPELINE, STAGES, SUBMISSION_STAGES } from '@openmmsc/core';
import { updateStageTables } from '../stage-table.js';

it('the stage tables in docs/architecture.md and docs/plugins.md are the one in PIPELINE (run scripts/stage-table.ts to regenerate)', () => {
  assert.deepEqual(updateStageTables(true), []);
});

it('PIPELINE orders the stages as the kernel runs them: the submission stages, then the job stages', () => {
  assert.deepEqual(STAGES, ['receive', 'route', 'transcode', 'charge', 'store', 'notify', 'deliver']);
  assert.deepEqual(SUBMISSION_STAGES, ['receive', 'route', 'transcode', 'charge', 'store']);
  assert.ok(PIPELINE.every((s) => s.hooks === 'sequential'));
});
