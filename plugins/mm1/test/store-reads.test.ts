/**
 * What one fetch and one acknowledgement cost the store, counted by the store itself: a real
 * Redis (cluster mode, where every read is a round trip) and its MONITOR stream. A fetch reads its
 * own recipient's record once (the update that moves it starts from that text), never the other
 * recipients' of the message, and the message's record at most twice; the acknowledgement that
 * ends the recipient reads the message's record three times at most, and looks for each job it
 * cancels in that job's queue only.
 */
import assert from 'node:assert/strict';
import { createConnection, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { requireSystem, startRedis, waitFor, type RedisServer } from '@openmmsc/testkit';
import { startRig, postPdu, type Rig } from './helpers.js';
import { acknowledgeIndBytes, fakeJpeg, sendReqBytes } from './pdu-bytes.js';

const SENDER = '+15550000001';
const RECIPIENTS = ['+15550000002', '+15550000003', '+15550000004'];
const PREFIX = 'store-reads';

/** Every command the Redis server runs for its clients while `body` runs (MONITOR). */
async function monitored(port: number, body: () => Promise<void>): Promise<string[]> {
  const socket: Socket = createConnection({ port, host: '127.0.0.1' });
  let text = '';
  socket.on('data', (d) => (text += d.toString('latin1')));
  await new Promise<void>((ok, fail) => socket.once('connect', ok).once('error', fail));
  socket.write('MONITOR\r\n');
  await waitFor('MONITOR answers', () => text.startsWith('+OK'), { timeoutMs: 5000, intervalMs: 10 });
  try {
    await body();
    // MONITOR lines reach this socket after the replies the client got: let them arrive.
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    socket.destroy();
  }
  // `<time> [<db> <client address>] "<command>" "<arg>" …`; Lua's own calls say `[<db> lua]`.
  return text.split('\r\n').filter((line) => / \[\d+ \d+\.\d+\.\d+\.\d+:\d+\] /.test(line));
}

/** Client GETs of one key: every read of the store, the read that starts an update included (its compare-and-set runs as a script). */
const reads = (lines: readonly string[], key: string): number => lines.filter((l) => /"get"/i.test(l) && l.includes(`"${PREFIX}:mmsc:${key}"`)).length;

describe('store reads of a fetch and its acknowledgement (Redis MONITOR)', { skip: requireSystem('redis-server') }, () => {
  let redis: RedisServer;
  let rig: Rig;
  before(async () => {
    redis = await startRedis();
    // Handsets that defer: each answers its notification, and the fetch below is the test's own.
    rig = await startRig({ bearer: 'direct', phones: RECIPIENTS.map((msisdn) => ({ msisdn, mode: 'defer' as const })), config: { store: { type: 'redis', url: redis.url, prefix: PREFIX } } });
  });
  after(async () => {
    await rig?.stop();
    await redis?.stop();
  });

  it('a fetch reads the message record at most twice and only its own recipient; the acknowledgement at most three times', async () => {
    const to = (msisdn: string) => [0x97, ...Buffer.from(`${msisdn}/TYPE=PLMN`), 0];
    const send = sendReqBytes({ transactionId: 'reads-1', to: RECIPIENTS[0]!, text: 'three recipients', jpeg: fakeJpeg(), extra: [...to(RECIPIENTS[1]!), ...to(RECIPIENTS[2]!)] });
    const conf = await postPdu(rig.url, send, SENDER);
    assert.equal(conf.status, 200);
    await waitFor('three notifications', () => rig.pushes.length === 3, { timeoutMs: 10_000, intervalMs: 20 });
    const id = rig.pushes[0]!.notification.messageId;
    await waitFor('every handset answered Deferred', async () => {
      const all = await rig.t.mmsc.getRecipients(id);
      return all.length === 3 && all.every((r) => r.state === 'notified' && r.attributes.mm1Deferred === true);
    }, { timeoutMs: 10_000, intervalMs: 20 });
    const push = rig.pushes.find((p) => p.to.value === RECIPIENTS[1]);
    assert.ok(push, `a notification for ${RECIPIENTS[1]}`);
    const location = push.notification.contentLocation!;
    // The content token (also the transaction to acknowledge): `<message id>.<index, base 36>.<mac>`.
    const transactionId = location.slice(location.lastIndexOf('/') + 1);
    const index = parseInt(transactionId.split('.')[1]!, 36);
    const others = [0, 1, 2].filter((i) => i !== index);
    const msisdn = RECIPIENTS[1]!;

    const port = Number(new URL(redis.url).port);
    let fetched: Response | undefined;
    const fetch1 = await monitored(port, async () => {
      fetched = await fetch(location, { headers: { 'x-wap-network-client-msisdn': msisdn } });
      await fetched.arrayBuffer();
    });
    assert.equal(fetched!.status, 200);
    assert.ok(reads(fetch1, `msg:${id}`) >= 1, `the fetch was seen on the wire:\n${fetch1.join('\n')}`);
    assert.ok(reads(fetch1, `msg:${id}`) <= 2, `message record read ${reads(fetch1, `msg:${id}`)} times by one fetch`);
    // Once to find it. The move to `retrieved` compares and sets from the text just read, without
    // reading it again (the script checks it is still what the key holds).
    assert.equal(reads(fetch1, `rcpt:${id}:${index}`), 1, `the fetching recipient:\n${fetch1.join('\n')}`);
    assert.equal(fetch1.filter((l) => /"evalsha"/i.test(l) && l.includes(`"${PREFIX}:mmsc:rcpt:${id}:${index}"`)).length, 1, 'one compare-and-set: the guess held');
    for (const i of others) assert.equal(reads(fetch1, `rcpt:${id}:${i}`), 0, `recipient ${i} is not the one fetching, and not read`);

    const ack = await monitored(port, async () => {
      const res = await postPdu(rig.url, acknowledgeIndBytes(transactionId), msisdn);
      assert.ok(res.status === 200 || res.status === 204, `acknowledged: HTTP ${res.status}`);
    });
    assert.ok(reads(ack, `msg:${id}`) <= 3, `message record read ${reads(ack, `msg:${id}`)} times by one acknowledgement`);
    // The move to `delivered` cancels the recipient's notify, deliver and re-route jobs (mostly run
    // already): each is looked for in its own kind's queue, not in every kind's in turn.
    const looked = ack.filter((l) => /"hexists"/i.test(l));
    assert.equal(looked.length, 3, `job lookups of the final move:\n${looked.join('\n')}`);
    assert.equal((await rig.t.mmsc.getRecipients(id)).find((r) => r.index === index)?.state, 'delivered');
  });
});
