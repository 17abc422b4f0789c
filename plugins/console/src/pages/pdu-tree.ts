import { decodePdu, encodePdu, toJson, type JsonValue, type MmsPdu } from '@openmmsc/codec';
import { html, type Html } from '../http/html.js';

/** Long byte strings are cut in the tree (the parts are shown in full above it). */
const MAX_LEAF = 200;

/**
 * The message as the codec encodes it for a handset (the m-retrieve-conf), decoded again from
 * those bytes and shown as a tree: what a handset would receive, header by header.
 */
export function pduTree(pdu: MmsPdu): Html {
  let bytes: Uint8Array;
  try {
    bytes = encodePdu(pdu);
  } catch (error) {
    return html`<p class="error">the codec cannot encode this message: ${(error as Error).message}</p>`;
  }
  let decoded: JsonValue;
  try {
    decoded = toJson(decodePdu(bytes));
  } catch (error) {
    return html`<p class="error">the encoded PDU does not decode: ${(error as Error).message}</p>`;
  }
  return html`<p>${bytes.length} bytes, ${pdu.messageType}</p><div class="tree">${node('pdu', decoded, true)}</div>`;
}

function node(name: string, value: JsonValue, open = false): Html {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    return html`<details${open ? html` open` : ''}><summary>${name}</summary><ul>${entries.map(([k, v]) => html`<li>${node(k, v)}</li>`)}</ul></details>`;
  }
  const text = String(value);
  return html`<span class="leaf"><b>${name}</b>: ${text.length > MAX_LEAF ? `${text.slice(0, MAX_LEAF)}… (${text.length} characters)` : text}</span>`;
}
