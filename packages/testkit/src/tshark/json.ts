/** A node of tshark's JSON: every key with the list of all its values (tshark repeats keys). */
export type TsharkNode = { [key: string]: (string | TsharkNode)[] };

/** Parses JSON keeping repeated keys: every object maps a key to the list of its values. */
export function parseMultiJson(text: string): unknown {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    let out = '';
    while (text[i] !== '"') {
      if (text[i] === '\\') {
        const end = i + (text[i + 1] === 'u' ? 6 : 2);
        out += JSON.parse(`"${text.slice(i, end)}"`) as string;
        i = end;
      } else out += text[i++];
      if (i >= text.length) throw new Error(`unterminated string at ${start}`);
    }
    i++;
    return out;
  };
  const list = (close: string, item: () => void): void => {
    i++;
    ws();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      ws();
      if (text[i++] !== ',') return;
    }
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      const o: TsharkNode = {};
      list('}', () => {
        ws();
        const k = str();
        ws();
        i++; // :
        (o[k] ??= []).push(value() as string | TsharkNode);
      });
      return o;
    }
    if (c === '[') {
      const a: unknown[] = [];
      list(']', () => a.push(value()));
      return a;
    }
    if (c === '"') return str();
    const m = /^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(i, i + 40));
    if (!m) throw new Error(`bad JSON at ${i}`);
    i += m[0].length;
    return JSON.parse(m[0]);
  };
  return value();
}

/** The `layers` node of each packet of `tshark -T json` output. */
export function packetLayers(json: string): TsharkNode[] {
  const packets = parseMultiJson(json) as TsharkNode[];
  return packets.map((p) => (p._source![0] as TsharkNode).layers![0] as TsharkNode);
}

/** Every value of `key` anywhere under node, in document order. */
export function all(node: TsharkNode | string, key: string): string[] {
  const out: string[] = [];
  const walk = (n: TsharkNode | string): void => {
    if (typeof n === 'string') return;
    for (const [k, vs] of Object.entries(n)) {
      for (const v of vs) {
        if (k === key && typeof v === 'string') out.push(v);
        walk(v);
      }
    }
  };
  walk(node);
  return out;
}

/** True if Wireshark flagged anything as malformed. */
export function malformed(node: TsharkNode): boolean {
  return JSON.stringify(node).includes('_ws.malformed');
}
