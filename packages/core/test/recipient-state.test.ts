import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyTransition, canTransition, FINAL_STATES, InvalidTransitionError, type RecipientRecord } from '@openmmsc/core';

const record: RecipientRecord = {
  index: 0,
  address: { type: 'plmn', value: '+15550000002' },
  kind: 'to',
  state: 'charged',
  history: [],
  attributes: {},
};

describe('recipient state machine', () => {
  it('walks the local path and records who moved it', () => {
    let r = applyTransition(record, 'notified', 'push-smpp', 1);
    r = applyTransition(r, 'retrieved', 'mm1', 2);
    r = applyTransition(r, 'delivered', 'mm1', 3, 'acknowledged');
    assert.equal(r.state, 'delivered');
    assert.deepEqual(r.history, [
      { state: 'notified', at: 1, by: 'push-smpp' },
      { state: 'retrieved', at: 2, by: 'mm1' },
      { state: 'delivered', at: 3, by: 'mm1', reason: 'acknowledged' },
    ]);
  });

  it('never leaves a final state', () => {
    for (const final of FINAL_STATES) {
      for (const to of ['notified', 'delivered', 'rejected', 'expired'] as const) assert.equal(canTransition(final, to), false);
    }
    assert.throws(() => applyTransition({ ...record, state: 'expired' }, 'delivered', 'x', 0), InvalidTransitionError);
  });

  it('does not skip routing or charging', () => {
    assert.equal(canTransition('received', 'notified'), false);
    assert.equal(canTransition('routed', 'delivered'), false);
  });
});
