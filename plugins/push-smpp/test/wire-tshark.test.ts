// What crosses the wire, as Wireshark's dissectors see it: a live capture on loopback of the
// SMPP link between the plugin and the simulated SMSC, dissected by tshark (SMPP → GSM SMS UDH →
// WSP push → MMSE).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildMessage, fastNotifyRetries, localSubscribers, notificationBuilder, requireSystem, SimulatedSmsc, startTestMmsc, waitFor } from '@openmmsc/testkit';
import { captureLoopback, readPdml, type LoopbackCapture } from '@openmmsc/testkit/tshark';
import pushSmpp from '../src/index.js';
import { link } from './helpers.js';

interface Field {
  show: string;
  value: string;
  unmasked?: string;
}

/** Packets of a PDML dump, each as field name → occurrences. */
function pdmlPackets(xml: string): Array<Map<string, Field[]>> {
  return xml
    .split('<packet>')
    .slice(1)
    .map((p) => {
      const m = new Map<string, Field[]>();
      for (const f of p.matchAll(/<field name="([^"]+)"[^>]*?show="([^"]*)"[^>]*?value="([^"]*)"(?:[^>]*?unmaskedvalue="([^"]*)")?/g)) {
        const list = m.get(f[1]!) ?? [];
        const field: Field = { show: f[2]!, value: f[3]! };
        if (f[4] !== undefined) field.unmasked = f[4];
        list.push(field);
        m.set(f[1]!, list);
      }
      return m;
    });
}

describe('push-smpp on the wire (tshark)', { skip: requireSystem('tshark') }, () => {
  it('sends submit_sm with UDHI, 8-bit data, ports 2948/9200 and our m-notification-ind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-smpp-wire-'));
    const pcap = join(dir, 'smpp.pcapng');
    const smsc = new SimulatedSmsc();
    await smsc.start();
    let capture: LoopbackCapture | undefined;
    try {
      capture = await captureLoopback(smsc.port, pcap);
      const t = await startTestMmsc({
        plugins: [localSubscribers(), notificationBuilder({ pad: 150 }), { plugin: pushSmpp, options: { links: [link(smsc.port)] } }],
        config: fastNotifyRetries,
      });
      let messageId: string;
      try {
        const r = await t.mmsc.submit({ message: buildMessage({ to: '+15550000002' }), origin: { interface: 'api' } });
        assert.equal(r.status, 'accepted');
        messageId = r.messageId;
        await waitFor('notified', async () => (await t.mmsc.getRecipients(messageId))[0]?.state === 'notified');
      } finally {
        await t.stop();
      }
      await capture.stop();
      capture = undefined;

      const packets = pdmlPackets(readPdml(pcap, { decodeAs: { smpp: smsc.port }, filter: 'smpp.command_id == 0x00000004' }));
      assert.equal(packets.length, 2, `submit_sm seen by tshark: ${packets.length}`);
      packets.forEach((p, i) => {
        const one = (name: string) => {
          const f = p.get(name)?.[0];
          assert.ok(f, `field ${name} in submit_sm ${i + 1}`);
          return f;
        };
        assert.equal(one('smpp.command_id').show, '0x00000004');
        assert.equal(one('smpp.esm.submit.features').unmasked, '40'); // esm_class 0x40: UDHI
        assert.equal(one('smpp.data_coding').show, '0x04');
        assert.equal(one('smpp.destination_addr').show, '15550000002');
        assert.equal(one('smpp.dest_addr_ton').show, '0x01');
        assert.equal(one('smpp.source_addr').show, '1234');
        assert.equal(one('smpp.regdel.receipt').show, '0x01');
        assert.equal(one('gsm_sms.destination_port').show, '2948');
        assert.equal(one('gsm_sms.originator_port').show, '9200');
        assert.equal(one('gsm_sms.udh.mm.msg_parts').show, '2');
        assert.equal(one('gsm_sms.udh.mm.msg_part').show, String(i + 1));
      });
      // The second segment completes the datagram: tshark reassembles it and dissects WSP and MMSE.
      const last = packets[1]!;
      assert.equal(last.get('wsp.pdu_type')?.[0]?.show, '0x06');
      assert.equal(last.get('mmse.message_type')?.[0]?.show, '0x82');
      assert.equal(last.get('mmse.transaction_id')?.[0]?.show, `T${messageId}`);
      assert.equal(last.get('mmse.content_location')?.[0]?.show, `http://mmsc.test/m/${messageId}?pad=${'x'.repeat(150)}`);
    } finally {
      await capture?.stop().catch(() => undefined);
      await smsc.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
