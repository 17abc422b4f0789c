import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { makePng, requireSystem, type ReceivedMessage, type SimulatedHandset } from '@openmmsc/testkit';
import { historyOf, startRig, type Rig } from './helpers.js';
import { MmsdPhone, type MmsdMessage, type PhoneEvent } from './mmsd/mmsd-phone.js';

// A real MMS client, mmsd-tng (the MMS daemon of postmarketOS, Mobian, the Librem 5), against
// OpenMMSC. The harness plays only the phone's surroundings: ModemManager (a mock with one modem),
// the SMSC handing the WAP Push to that modem, and the operator's WAP gateway that adds the
// subscriber's MSISDN. OpenMMSC runs with its default options; nothing rewrites its bytes.

// Needs mmsd-tng, dbus-daemon, python3-dbusmock, and root (mmsd-tng binds its sockets to the bearer's interface, lo).
const skip = requireSystem('mmsd-tng');

const PHONE = '+15550000001';
const OTHER = '+15550000002';
/** Per wait; generous because the machine may be shared, but every wait ends on a signal. */
const WAIT_MS = 30_000;

function attachment(m: MmsdMessage | undefined, type: string): Buffer | undefined {
  const found = m?.Attachments?.find(([, t]) => t.split(';')[0]!.trim().toLowerCase() === type);
  return found?.[2] ? Buffer.from(found[2], 'base64') : undefined;
}

const receivedWith = (text: string) => (e: PhoneEvent) =>
  e.event === 'MessageAdded' && e.properties?.Status === 'received' && attachment(e.properties, 'text/plain')?.toString('utf8') === text;

const statusOf = (path: string, value: string) => (e: PhoneEvent) => e.event === 'PropertyChanged' && e.path === path && e.name === 'status' && e.value === value;

async function nextMessage(handset: SimulatedHandset, seen: number): Promise<ReceivedMessage> {
  if (handset.messages.length > seen) return handset.messages[seen]!;
  await once(handset, 'retrieved', { signal: AbortSignal.timeout(WAIT_MS) });
  return handset.messages[seen]!;
}

describe('mmsd-tng (Linux phones) through OpenMMSC', { skip }, () => {
  let rig: Rig;
  let phone: MmsdPhone;

  before(async () => {
    rig = await startRig({ phones: [{ msisdn: OTHER }] });
    phone = await MmsdPhone.start({ msisdn: PHONE, mmscUrl: `${rig.url}/mms`, smsc: rig.smsc!, timeoutMs: WAIT_MS });
  });

  after(async () => {
    await phone?.stop();
    await rig?.stop();
  });

  it('receives a message with text and an image, and tells the MMSC it has it', async () => {
    const png = makePng(24, 16, 7);
    const sent = await rig.phone(OTHER).send({ to: PHONE, subject: 'a picture', text: 'hello from a handset', attachments: [{ contentType: 'image/png', data: png, name: 'pic.png' }] });
    assert.equal(sent.status, 'ok');
    const added = await phone.waitFor('mmsd-tng to surface the received message (MessageAdded)', receivedWith('hello from a handset'));
    const m = added.properties!;
    assert.deepEqual(attachment(m, 'image/png'), png, 'the image arrives byte for byte');
    assert.equal(m.Subject, 'a picture');
    assert.equal(m.Sender, OTHER);
    // mmsd-tng surfaces a message only after its m-notifyresp-ind was accepted; the MMSC saw it too.
    assert.deepEqual((await historyOf(rig, sent.messageId!)).slice(-2), ['retrieved', 'delivered']);
  });

  it('sends a message to another subscriber, who receives it from the MSISDN the gateway vouched for', async () => {
    const other = rig.phone(OTHER);
    const seen = other.messages.length;
    const path = await phone.send([OTHER], [{ id: 'note.txt', contentType: 'text/plain', data: Buffer.from('sent from mmsd-tng') }], { Subject: 'to you' });
    await phone.waitFor('mmsd-tng to report the message sent', statusOf(path, 'sent'));
    const got = await nextMessage(other, seen);
    assert.deepEqual(got.texts, ['sent from mmsd-tng']);
    assert.equal(got.pdu.subject?.text, 'to you');
    assert.equal(got.pdu.from?.address, PHONE);
  });

  it('sends one to itself with a delivery report, receives it, and sees it marked delivered', async () => {
    const path = await phone.send([PHONE], [{ id: 'self.txt', contentType: 'text/plain', data: Buffer.from('note to self') }], { DeliveryReport: true });
    await phone.waitFor('the message to come back to the phone', receivedWith('note to self'));
    await phone.waitFor('the m-delivery-ind to mark the sent message delivered', statusOf(path, 'delivered'));
    const [, props] = (await phone.messages()).find(([p]) => p === path)!;
    assert.equal(props['Delivery Status'], `${PHONE}=retrieved`);
  });
});
