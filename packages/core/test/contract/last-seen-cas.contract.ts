import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AtomicUpdate } from '../../src/store/keyv-message-store.js';
import { decodeValue, encodeValue } from '../../src/store/value-codec.js';

/** One node's store adapter, as the contract uses it. */
export interface CasNode {
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  delete(key: string): Promise<unknown>;
  atomic: AtomicUpdate;
}

/** Two nodes on one server, and what the test needs to see past them. */
export interface CasBackend {
  nodeA: CasNode;
  nodeB: CasNode;
  /** Another client writes `value` under the adapters' `key`, as another node's store would. */
  overwrite(key: string, value: number): Promise<void>;
  /** What the server holds under the adapters' `key`, read by another client. */
  stored(key: string): Promise<number>;
  /** Reads of one key node A's adapter made since the last `resetReads`, as its server or client counted them. */
  reads(): Promise<number>;
  resetReads(): Promise<void>;
}

export const casText = (value: number): string => encodeValue({ value });
const valueOf = (raw: unknown): number => decodeValue<{ value: number }>(raw as string).value;

/**
 * A server store's compare-and-set that starts from the text its node last saw of the key
 * (`store/last-seen-cas.ts`), run against each server store the same way.
 */
export function lastSeenCasContract(backend: () => CasBackend): void {
  it('a move right after a read or a move on this node reads nothing again', async () => {
    const { nodeA, stored, reads, resetReads } = backend();
    await nodeA.set('r1', casText(1));
    assert.equal(valueOf(await nodeA.get('r1')), 1);
    await resetReads();
    assert.equal(await nodeA.atomic.modify<number>('r1', (n) => n! + 1), 2);
    assert.equal(await nodeA.atomic.modify<number>('r1', (n) => n! + 1), 3);
    assert.equal(await reads(), 0, 'both started from the text this node had');
    assert.equal(await stored('r1'), 3);
  });

  it('a guess made stale by another writer is caught by the compare-and-set, and the value read again', async () => {
    const { nodeA, overwrite, stored, reads, resetReads } = backend();
    await nodeA.set('r2', casText(1));
    await nodeA.get('r2');
    await overwrite('r2', 10);
    await resetReads();
    assert.equal(await nodeA.atomic.modify<number>('r2', (n) => n! + 1), 11, 'applied to what the key holds, not to the guess');
    assert.equal(await reads(), 1);
    assert.equal(await stored('r2'), 11);
  });

  it('an update that refuses the older value it was guessed is tried on the current one', async () => {
    const { nodeA, overwrite, stored } = backend();
    await nodeA.set('r3', casText(1));
    await nodeA.get('r3');
    await overwrite('r3', 2);
    const seen: number[] = [];
    const result = await nodeA.atomic.modify<number>('r3', (n) => {
      seen.push(n!);
      if (n === 1) throw new Error('no move from 1');
      return n! * 10;
    });
    assert.equal(result, 20);
    assert.deepEqual(seen, [1, 2]);
    // Refused on the current value too: the refusal is the answer.
    await assert.rejects(
      nodeA.atomic.modify<number>('r3', () => {
        throw new Error('refused');
      }),
      /refused/,
    );
    assert.equal(await stored('r3'), 20);
  });

  it('two nodes updating one record, each from what it last saw, lose no update', async () => {
    const { nodeA, nodeB, stored } = backend();
    await nodeA.set('r4', casText(0));
    await Promise.all([nodeA.get('r4'), nodeB.get('r4')]);
    const add = (node: CasNode) => async () => {
      for (let i = 0; i < 50; i++) await node.atomic.modify<number>('r4', (n) => n! + 1);
    };
    await Promise.all([add(nodeA)(), add(nodeB)()]);
    assert.equal(await stored('r4'), 100);
  });

  it('a record deleted or written is not guessed from before', async () => {
    const { nodeA, reads, resetReads } = backend();
    await nodeA.set('r5', casText(7));
    await nodeA.get('r5');
    await nodeA.delete('r5');
    assert.equal(await nodeA.atomic.modify<number>('r5', (n) => (n === undefined ? 1 : n + 1)), 1);
    await nodeA.get('r5');
    await nodeA.set('r5', casText(40));
    await resetReads();
    assert.equal(await nodeA.atomic.modify<number>('r5', (n) => n! + 2), 42);
    assert.equal(await reads(), 1, 'the write made the text last seen unknown: read before the update');
  });
}
