/**
 * Wireshark (tshark) as an independent reader of what MM1 sends: an answer PDU as the body of an
 * HTTP response (Ethernet/IPv4/TCP, MMSE found by media type), or a WAP Push handed to the
 * connectionless WSP dissector (an "exported PDU" capture). Wireshark 4.0 names MMS 1.2+ header
 * fields it does not decode `X-Mms-…: <Well-known value 0x…> (not decoded)` (or by number), and
 * PDU types past 0x93 "Unknown": the fields below are what it shows, in order.
 */
import { exportedPduPcap, httpMmsPcap, tshark, withPcap } from '@openmmsc/testkit/tshark';
import { requireSystem } from '@openmmsc/testkit';

/** Why tshark tests cannot run (recorded for the runner's skip summary), or undefined. */
export function tsharkMissing(): string | undefined {
  return requireSystem('tshark');
}

export interface ShownField {
  name: string;
  /** The value as Wireshark shows it (`show`). */
  show: string;
  /** The whole line Wireshark prints (`showname`). */
  line: string;
}

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** Runs tshark on a capture; the fields of the protocols given, in document order (PDML). */
function read(capture: Buffer, protocols: string[]): ShownField[] {
  const pdml = withPcap(capture, (file) => tshark(file, {}, ['-T', 'pdml', '-J', protocols.join(' ')]));
  const out: ShownField[] = [];
  for (const m of pdml.matchAll(/<(field|proto) name="([^"]*)"(?: showname="([^"]*)")?[^>]*?(?: show="([^"]*)")?[^>]*?>/g)) {
    const showname = / showname="([^"]*)"/.exec(m[0])?.[1] ?? '';
    const show = / show="([^"]*)"/.exec(m[0])?.[1] ?? '';
    out.push({ name: m[2]!, show: unescape(show), line: unescape(showname) });
  }
  if (pdml.includes('_ws.malformed')) out.push({ name: '_ws.malformed', show: 'malformed', line: 'Malformed packet' });
  return out;
}

/** An MMS PDU as MM1 answers it: the body of an HTTP 200 response with `application/vnd.wap.mms-message`. */
export function dissectAnswer(pdu: Buffer): ShownField[] {
  return read(httpMmsPcap([pdu]), ['mmse']);
}

/** A WAP Push (connectionless WSP: TID, PDU type Push, headers, body) as the handset's WSP layer gets it. */
export function dissectPush(push: Uint8Array): ShownField[] {
  return read(exportedPduPcap([push], { dissector: 'wsp-cl' }), ['wsp', 'mmse']);
}

/** The lines Wireshark shows for one field name (`mmse.header.uint`, …). */
export const lines = (fields: readonly ShownField[], name: string): string[] => fields.filter((f) => f.name === name).map((f) => f.line);
export const shown = (fields: readonly ShownField[], name: string): string[] => fields.filter((f) => f.name === name).map((f) => f.show);
