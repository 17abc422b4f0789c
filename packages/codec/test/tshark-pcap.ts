/**
 * Wireshark's verdict on raw MMS bytes (through @openmmsc/testkit/tshark): each input handed to
 * the MMSE heuristic dissector (`mmse_wsp`, which takes PDUs whose third octet is 0x98 or 0x8D).
 */
import { dissectFields } from '@openmmsc/testkit/tshark';

/** For each input: the X-Mms-Message-Type Wireshark read (e.g. `0x80`) and whether it found the frame malformed. */
export function tsharkVerdicts(inputs: Uint8Array[]): { messageType: string | undefined; malformed: boolean }[] {
  // Frame n is input n - 1 (each goes to the heuristic dissector as one frame).
  const frame = (row: Record<string, string[]>): number => Number(row['frame.number']![0]) - 1;
  const types = new Map(dissectFields('mmse', inputs, ['mmse.message_type']).map((r) => [frame(r), r['mmse.message_type']![0]]));
  const bad = new Set(dissectFields('mmse', inputs, [], '_ws.malformed').map(frame));
  return inputs.map((_, i) => ({ messageType: types.get(i), malformed: bad.has(i) }));
}
