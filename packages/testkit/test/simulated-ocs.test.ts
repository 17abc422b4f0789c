import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  CcRequestType,
  DiameterFramer,
  RequestedAction,
  decodeMessage,
  encodeMessage,
  getNumber,
  getString,
  makeAvp,
  type Avp,
  type DiameterMessage,
} from '@openmmsc/diameter';
import { startSimulatedOcs, type SimulatedOcs } from '../src/index.js';

/** The client side of one Diameter connection, reading whole messages. */
class Peer {
  private readonly framer = new DiameterFramer();
  private readonly inbox: DiameterMessage[] = [];
  private readonly waiting: Array<(m: DiameterMessage) => void> = [];
  private hopByHop = 100;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => {
      for (const frame of this.framer.push(chunk)) {
        const m = decodeMessage(frame);
        const w = this.waiting.shift();
        if (w) w(m);
        else this.inbox.push(m);
      }
    });
  }

  static open(port: number): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new Peer(s)));
      s.once('error', reject);
    });
  }

  next(timeoutMs = 3000): Promise<DiameterMessage | undefined> {
    const ready = this.inbox.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      this.waiting.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** A request of ours: the R flag (and P, except base-protocol commands, RFC 6733 §6.1.9), fresh ids, Origin-Host/Realm first. */
  request(commandCode: number, applicationId: number, avps: Avp[]): Buffer {
    const id = ++this.hopByHop;
    const flags = { request: true, proxiable: applicationId !== 0, error: false, retransmit: false };
    return encodeMessage({ commandCode, applicationId, flags, hopByHop: id, endToEnd: id, avps: [makeAvp('Origin-Host', 'mmsc.test'), makeAvp('Origin-Realm', 'test'), ...avps] });
  }

  /** A Credit-Control-Request (272, application 4); the codec is checked byte for byte in @openmmsc/diameter's tests. */
  ccr(sessionId: string, type: number, avps: Avp[]): Buffer {
    return this.request(272, 4, [makeAvp('Session-Id', sessionId), makeAvp('CC-Request-Type', type), makeAvp('CC-Request-Number', 0), ...avps]);
  }

  close(): void {
    this.socket.destroy();
  }
}

const subscriber = (msisdn: string) => makeAvp('Subscription-Id', [makeAvp('Subscription-Id-Type', 'END_USER_E164'), makeAvp('Subscription-Id-Data', msisdn)]);
const units = (group: 'Requested-Service-Unit' | 'Used-Service-Unit', n: number) => makeAvp(group, [makeAvp('CC-Service-Specific-Units', n)]);

describe('SimulatedOcs: a credit-control server for MM9 tests', () => {
  let ocs: SimulatedOcs;
  let peer: Peer;
  before(async () => {
    ocs = await startSimulatedOcs({ balances: { '+15550000001': 5 } });
    peer = await Peer.open(ocs.port);
  });
  after(async () => {
    peer.close();
    await ocs.stop();
  });

  it('answers a CER with a CEA: success, its identity, the credit-control application', async () => {
    const cer = peer.request(257, 0, [makeAvp('Host-IP-Address', '127.0.0.1'), makeAvp('Vendor-Id', 0), makeAvp('Product-Name', 'test'), makeAvp('Auth-Application-Id', 4)]);
    peer.send(cer);
    const cea = (await peer.next())!;
    assert.equal(cea.commandCode, 257);
    assert.equal(cea.flags.request, false);
    assert.equal(cea.hopByHop, cer.readUInt32BE(12), 'Hop-by-Hop id echoed');
    assert.equal(getNumber(cea.avps, 'Result-Code'), 2001);
    assert.equal(getString(cea.avps, 'Origin-Host'), ocs.originHost);
    assert.equal(getNumber(cea.avps, 'Auth-Application-Id'), 4);
    assert.equal(ocs.requests[0]?.command, 'CER');
  });

  it('debits an event charge from the balance, and refuses one the balance cannot cover (4012)', async () => {
    peer.send(peer.ccr('s;event;1', CcRequestType.EVENT_REQUEST, [makeAvp('Requested-Action', RequestedAction.DIRECT_DEBITING), subscriber('+15550000001'), units('Requested-Service-Unit', 2)]));
    const ok = (await peer.next())!;
    assert.equal(getNumber(ok.avps, 'Result-Code'), 2001);
    assert.equal(getString(ok.avps, 'Session-Id'), 's;event;1');
    assert.equal(getNumber(ok.avps, 'Multiple-Services-Credit-Control/Granted-Service-Unit/CC-Service-Specific-Units'), 2);
    assert.equal(ocs.balance('+15550000001'), 3);

    peer.send(peer.ccr('s;event;2', CcRequestType.EVENT_REQUEST, [subscriber('+15550000001'), units('Requested-Service-Unit', 4)]));
    assert.equal(getNumber((await peer.next())!.avps, 'Result-Code'), 4012, 'DIAMETER_CREDIT_LIMIT_REACHED');
    assert.equal(ocs.balance('+15550000001'), 3, 'nothing debited');
    assert.equal(ocs.ccrs().at(-1)?.subscriber, '+15550000001');
  });

  it('answers 5030 for a subscriber it does not know', async () => {
    peer.send(peer.ccr('s;who', CcRequestType.EVENT_REQUEST, [subscriber('+19990000000')]));
    assert.equal(getNumber((await peer.next())!.avps, 'Result-Code'), 5030, 'DIAMETER_USER_UNKNOWN');
  });

  it('reserves on INITIAL and debits what TERMINATION reports used', async () => {
    peer.send(peer.ccr('s;session', CcRequestType.INITIAL_REQUEST, [subscriber('+15550000001'), units('Requested-Service-Unit', 2)]));
    assert.equal(getNumber((await peer.next())!.avps, 'Result-Code'), 2001);
    assert.equal(ocs.reserved('+15550000001'), 2);
    peer.send(peer.ccr('s;session', CcRequestType.TERMINATION_REQUEST, [units('Used-Service-Unit', 1)]));
    assert.equal(getNumber((await peer.next())!.avps, 'Result-Code'), 2001);
    assert.equal(ocs.reserved('+15550000001'), 0);
    assert.equal(ocs.balance('+15550000001'), 2);
  });

  it('behaves as a hung peer on demand: the CCR is read and never answered', async () => {
    await ocs.setBehaviour('hang');
    try {
      peer.send(peer.ccr('s;hang', CcRequestType.EVENT_REQUEST, [subscriber('+15550000001')]));
      assert.equal(await peer.next(300), undefined);
      assert.equal(ocs.ccrs().at(-1)?.sessionId, 's;hang');
    } finally {
      await ocs.setBehaviour('normal');
    }
  });
});
