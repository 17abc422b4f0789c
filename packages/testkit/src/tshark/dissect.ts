import type { TsharkNode } from './json.js';
import { exportedPduPcap, httpMmsPcap, PCAP_RECORD_MAX, type PduTarget } from './pcap.js';
import { readFields, readJson, withPcap, type ReadOptions } from './read.js';

/**
 * How raw bytes reach Wireshark:
 * - `mmse`: an MMS PDU, to the MMSE heuristic `mmse_wsp` (Wireshark 4.0 registers MMSE by no other
 *   name; the heuristic takes a PDU whose third octet is 0x98 or 0x8D). PDUs it would refuse, and
 *   any larger than a pcap record, go the `http` way instead.
 * - `http`: an MMS PDU as the body of an HTTP response (MMSE found by media type), any size.
 * - `push`: a connectionless WSP PDU (TID, Push, headers, body) to `wsp-cl`; WSP hands an MMS body to MMSE.
 * - `udp2948`: the same through the UDP port table (WAP Push port 2948).
 * - `sms`: an SMS-DELIVER/SUBMIT TPDU without the SMSC address to `gsm_sms`; give the segments of
 *   a concatenated SMS as separate inputs, in order: they are reassembled and the WDP ports
 *   2948/9200 lead on to WSP and MMSE.
 * - `sms-sca`: as `sms`, each input starting with the SMSC address (as AT+CMGR prints it).
 */
export type DissectMode = 'mmse' | 'http' | 'push' | 'udp2948' | 'sms' | 'sms-sca';

const TARGETS: Record<Exclude<DissectMode, 'http'>, PduTarget> = {
  mmse: { heuristic: 'mmse_wsp' },
  push: { dissector: 'wsp-cl' },
  udp2948: { udpPort: 2948 },
  sms: { dissector: 'gsm_sms' },
  'sms-sca': { dissector: 'gsm_sms' },
};

const PROTOCOLS: Record<DissectMode, string[]> = {
  mmse: ['mmse'],
  http: ['mmse'],
  push: ['wsp', 'mmse'],
  udp2948: ['wsp', 'mmse'],
  sms: ['gsm_sms', 'wsp', 'mmse'],
  'sms-sca': ['gsm_sms', 'wsp', 'mmse'],
};

function heuristicTakes(pdu: Uint8Array): boolean {
  return pdu.length <= PCAP_RECORD_MAX - 64 && (pdu.length <= 2 || pdu[2] === 0x98 || pdu[2] === 0x8d);
}

function plan(mode: DissectMode, inputs: Uint8Array[]): { pcap: Buffer; mode: DissectMode; opts: ReadOptions } {
  const effective = mode === 'mmse' && !inputs.every(heuristicTakes) ? 'http' : mode;
  if (effective === 'http') return { pcap: httpMmsPcap(inputs), mode: effective, opts: { filter: 'mmse' } };
  const payloads = effective === 'sms-sca' ? inputs.map((p) => p.subarray(1 + p[0]!)) : inputs;
  // In mmse mode show only frames holding MMSE, as in http mode.
  return { pcap: exportedPduPcap(payloads, TARGETS[effective]), mode: effective, opts: effective === 'mmse' ? { filter: 'mmse' } : {} };
}

/** Dissects each input (one frame each) and returns the `layers` of each frame shown. */
export function dissect(mode: DissectMode, inputs: Uint8Array[]): TsharkNode[] {
  const p = plan(mode, inputs);
  return withPcap(p.pcap, (file) => readJson(file, { ...p.opts, protocols: PROTOCOLS[p.mode] }));
}

/**
 * Dissects each input and returns the given fields of each frame the filter shows (default: the
 * frames of the mode's top protocol), with `frame.number`: frame n is input n - 1 in every mode
 * but `http` (where a PDU spans several TCP frames).
 */
export function dissectFields(mode: DissectMode, inputs: Uint8Array[], fields: string[], filter?: string): Array<Record<string, string[]>> {
  const p = plan(mode, inputs);
  return withPcap(p.pcap, (file) => readFields(file, ['frame.number', ...fields], { ...p.opts, ...(filter ? { filter } : {}) }));
}
