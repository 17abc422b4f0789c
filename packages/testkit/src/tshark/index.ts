/**
 * Wireshark's dissectors (tshark) as an independent oracle in tests: raw bytes handed to the
 * right dissector (MMSE, WSP push, GSM SMS, MMSE over HTTP), live loopback captures, and capture
 * files read with decode-as options (SMPP, SMTP, Diameter, HTTP on test ports). Guard the tests
 * with `requireSystem('tshark')`.
 */
export { dissect, dissectFields, type DissectMode } from './dissect.js';
export { captureLoopback, type LoopbackCapture } from './capture.js';
export { readJson, readFields, readPdml, tshark, withPcap, type ReadOptions, type TcpProtocol } from './read.js';
export { exportedPduPcap, httpMmsPcap, tcpPcap, PCAP_RECORD_MAX, type PduTarget } from './pcap.js';
export { parseMultiJson, packetLayers, all, malformed, type TsharkNode } from './json.js';
export { tsharkDate } from './time.js';
