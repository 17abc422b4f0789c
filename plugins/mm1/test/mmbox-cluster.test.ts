/**
 * MMBox in a cluster: two MMSC nodes on one Redis. A box written through one node is listed and
 * fetched through the other, stores racing on both nodes never pass the quota, and the content
 * is still served when the node that stored it is gone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { requireSystem, startRedis, type RedisServer } from '@openmmsc/testkit';
import { startRig, type Rig } from './helpers.js';
import { counts, draftDescr, mboxUploadReq, mboxViewReq, multipart, octet, textField } from './mmbox-bytes.js';
import { B, C, get, post } from './mmbox-rig.js';

describe('MMBox on two nodes of a cluster', { skip: requireSystem('redis-server') }, () => {
  let redis: RedisServer;
  const nodes: Rig[] = [];
  before(async () => {
    redis = await startRedis();
    const config = { store: { type: 'redis' as const, url: redis.url, prefix: 'mmbox-cluster' } };
    const mm1 = { secret: 'one-secret-for-every-node-of-the-cluster', mmbox: { quota: { messages: 3, bytes: 1_000_000 } } };
    for (const id of ['n1', 'n2']) nodes.push(await startRig({ bearer: 'direct', mm1, config: { ...config, node: { id } } }));
  });
  after(async () => {
    for (const n of nodes) await n.stop().catch(() => undefined);
    await redis?.stop();
  });

  it('stores on one node are seen and served by the other; racing stores on both never pass the quota; content outlives its node', async () => {
    const [one, two] = nodes as [Rig, Rig];
    const up = await post(one, mboxUploadReq('cl-1', draftDescr(C, 'from node 1', 'kept in Redis')), B);
    assert.equal(octet(up.pdu, 0xa5), 0x80);
    const location = textField(up.pdu, 0x83)!;
    const viaTwo = location.replace(one.url, two.url);
    const copy = await get(viaTwo, B);
    assert.equal(copy.status, 200);
    assert.ok(copy.bytes.includes(Buffer.from('kept in Redis')));
    const listed = await post(two, mboxViewReq('cl-2', { totals: true }), B);
    assert.equal(multipart(listed.pdu.body!).length, 1);

    const racing = await Promise.all(Array.from({ length: 8 }, (_, i) => post(i % 2 ? one : two, mboxUploadReq(`cl-r${i}`, draftDescr(C, `r${i}`, 'race')), C)));
    assert.equal(racing.filter((r) => octet(r.pdu, 0xa5) === 0x80).length, 3, 'exactly the quota, across both nodes');
    assert.deepEqual(counts((await post(one, mboxViewReq('cl-3', { totals: true, limit: 0 }), C)).pdu, 0xaa), { messages: 3, bytes: 12 });

    await one.stop();
    const after = await get(viaTwo, B);
    assert.equal(after.status, 200, 'the node that stored it is gone; another serves it');
    assert.ok(after.bytes.includes(Buffer.from('kept in Redis')));
  });
});
