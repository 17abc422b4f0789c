/**
 * Content-IDs at the WSP boundary: the model keeps them bare (`a1`), the wire writes them as
 * RFC 2392 / WAP-230 want (`<a1>`), both in a part's Content-ID and in a multipart/related `start`.
 * Exactly one pair of brackets comes off and goes back on, nothing else, so every model value
 * round-trips; an id a sender wrote without brackets is read as it is and written with them.
 */

/** `<a1>` → `a1`; a value without the brackets is kept as it is. */
export function bareId(wire: string): string {
  return wire.length >= 2 && wire.charCodeAt(0) === 0x3c && wire.charCodeAt(wire.length - 1) === 0x3e ? wire.slice(1, -1) : wire;
}

/** `a1` → `<a1>`; an empty id stays empty rather than becoming `<>`. */
export function wireIdOf(id: string): string {
  return id === '' ? id : `<${id}>`;
}
