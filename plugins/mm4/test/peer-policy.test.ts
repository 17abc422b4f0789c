import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rawHeader, suiteFixture, waitFor } from '@openmmsc/testkit';
import { mm4Stats } from '../src/index.js';
import { DOMAIN_A, DOMAIN_B } from './helpers.js';
import { THIRD, forwardReq, startPeerFixture } from './peer-fixture.js';

describe('MM4 peers are trusted for what they own, and reach only our subscribers', () => {
  const f = suiteFixture(() => startPeerFixture());

  const quiet = () => new Promise((done) => setTimeout(done, 200));

  it('refuses a third operator’s subscriber in From: 550 5.7.1 and RES Error-service-denied to the peer itself', async () => {
    const pushes = f.push.pushes.length;
    const { raw, transactionId } = forwardReq({ from: `+17770000001/TYPE=PLMN@${THIRD}` });
    const r = await f.send(raw);
    assert.match(r.data, /^550 5\.7\.1 .*originator domain mms\.third\.example does not belong to peer/);
    const res = await f.resFor(transactionId);
    assert.equal(rawHeader(res.raw, 'X-Mms-Request-Status-Code'), 'Error-service-denied');
    assert.deepEqual(res.rcptTo, [`system-user@${DOMAIN_A}`]);
    await quiet();
    assert.equal(f.push.pushes.length, pushes, 'the handset never shows the forged sender');
  });

  it('refuses another system as X-Mms-Originator-System and sends it nothing', async () => {
    const before = f.sink.mails.length + f.thirdSink.mails.length;
    const { raw } = forwardReq({ originatorSystem: `system-user@${THIRD}` });
    const r = await f.send(raw);
    assert.match(r.data, /^550 5\.7\.1 X-Mms-Originator-System system-user@mms\.third\.example is not a system of/);
    const viaSystem = forwardReq({ originatorSystem: `system=${THIRD};party=+15550000001` });
    assert.match((await f.send(viaSystem.raw)).data, /^550 5\.7\.1/);
    await quiet();
    assert.equal(f.sink.mails.length + f.thirdSink.mails.length, before, 'no RES to anyone');
  });

  it('a bare number originator needs the peer’s number ranges; with them, only numbers in range pass', async () => {
    const bare = forwardReq({ from: '+15550000001' });
    assert.match((await f.send(bare.raw)).data, /^550 5\.7\.1 .*no number ranges configured/);
    assert.equal(rawHeader((await f.resFor(bare.transactionId)).raw, 'X-Mms-Request-Status-Code'), 'Error-service-denied');

    const ranged = (from: string) =>
      forwardReq({ from, originatorSystem: 'system-user@mms.ranged.example' }).raw;
    const opts = { localAddress: '127.0.0.4', from: 'system-user@mms.ranged.example' };
    assert.match((await f.send(ranged('+18880000001'), opts)).data, /^250 /, 'a bare number in a prefix range');
    assert.match((await f.send(ranged('+19990000123/TYPE=PLMN@mms.ranged.example'), opts)).data, /^250 /, 'in an explicit range, under its domain');
    assert.match((await f.send(ranged('+17770000001/TYPE=PLMN@mms.ranged.example'), opts)).data, /^550 5\.7\.1 .*not in a number range/, 'its domain, a number it does not own');
    assert.match((await f.send(ranged('+19990001000'), opts)).data, /^550 5\.7\.1/, 'just past the range');
  });

  it('a forward for a number of another network is refused, not relayed (550 5.7.1, Error-service-denied)', async () => {
    const forwarded = mm4Stats(f.t.mmsc)!.forwarded;
    const { raw, transactionId } = forwardReq({ to: `+17770000001/TYPE=PLMN@${DOMAIN_B}` });
    const r = await f.send(raw, { rcpt: [`+17770000001/TYPE=PLMN@${DOMAIN_B}`] });
    assert.match(r.data, /^550 5\.7\.1 relaying denied/);
    assert.equal(rawHeader((await f.resFor(transactionId)).raw, 'X-Mms-Request-Status-Code'), 'Error-service-denied');
    await new Promise((done) => setTimeout(done, 400));
    assert.equal(f.thirdSink.mails.length, 0, 'the third operator got nothing');
    assert.equal(mm4Stats(f.t.mmsc)!.forwarded, forwarded);
  });

  it('an expired forward is answered Error-unspecified (5.4.7) without storing or notifying', async () => {
    const pushes = f.push.pushes.length;
    const received = mm4Stats(f.t.mmsc)!.received;
    const { raw, transactionId } = forwardReq({ headers: [`X-Mms-Expiry: ${new Date(Date.now() - 60_000).toUTCString()}`] });
    const r = await f.send(raw);
    assert.match(r.data, /^554 5\.4\.7 message expired/);
    const res = await f.resFor(transactionId);
    assert.equal(rawHeader(res.raw, 'X-Mms-Request-Status-Code'), 'Error-unspecified');
    assert.match(rawHeader(res.raw, 'X-Mms-Status-Text') ?? '', /expired/);
    await new Promise((done) => setTimeout(done, 400));
    assert.equal(f.push.pushes.length, pushes, 'the handset is not notified');
    assert.equal(mm4Stats(f.t.mmsc)!.received, received, 'nothing stored');
  });

  it('a retransmitted forward (same X-Mms-Transaction-ID, same content) gets the first answer, not a second message', async () => {
    const pushes = f.push.pushes.length;
    const first = forwardReq({ to: `+16660000002/TYPE=PLMN@${DOMAIN_B}` });
    const rcpt = [`+16660000002/TYPE=PLMN@${DOMAIN_B}`];
    const one = await f.send(first.raw, { rcpt });
    assert.match(one.data, /^250 2\.0\.0 accepted as (\S+)/);
    await waitFor('the subscriber is notified', () => f.push.pushes.length > pushes);
    // The peer lost our RES and sends the very same request again.
    const two = await f.send(first.raw, { rcpt });
    assert.equal(two.data, one.data, 'the same answer, naming the same message');
    await waitFor('two RES Ok for the transaction', () =>
      f.sink.mails.filter((m) => rawHeader(m.raw, 'X-Mms-Transaction-ID') === first.transactionId && rawHeader(m.raw, 'X-Mms-Request-Status-Code') === 'Ok').length === 2,
    );
    await new Promise((done) => setTimeout(done, 300));
    assert.equal(f.push.pushes.length, pushes + 1, 'notified once');

    // The same transaction id with other content is a new request, never silently dropped.
    const other = forwardReq({ to: `+16660000002/TYPE=PLMN@${DOMAIN_B}`, transactionId: first.transactionId, body: first.raw.split('\r\n\r\n').slice(1).join('\r\n\r\n').replace('hello from A', 'something else') });
    const three = await f.send(other.raw, { rcpt });
    assert.match(three.data, /^250 2\.0\.0 accepted as /);
    assert.notEqual(three.data, one.data);
    await waitFor('the new message is notified', () => f.push.pushes.length === pushes + 2);
  });
});
