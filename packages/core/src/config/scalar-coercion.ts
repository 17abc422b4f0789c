/**
 * How a string reads as a YAML 1.2 core-schema scalar. Config values that come out of
 * `${env:NAME}` are always text; where a schema wants a number or a boolean, the text is typed
 * the way YAML would have typed it had it been written in the file.
 */
export type ScalarKind = 'number' | 'boolean' | 'null';

const NULL = /^(?:~|null|Null|NULL|)$/;
const TRUE = /^(?:true|True|TRUE)$/;
const FALSE = /^(?:false|False|FALSE)$/;
const DECIMAL = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const OCTAL = /^0o[0-7]+$/;
const HEX = /^0x[0-9a-fA-F]+$/;
const INFINITY = /^([-+]?)\.(?:inf|Inf|INF)$/;
const NAN = /^\.(?:nan|NaN|NAN)$/;

/** The scalar `text` stands for when it is of `kind`, or `undefined` when it is not. */
export function readScalar(text: string, kind: ScalarKind): number | boolean | null | undefined {
  const t = text.trim();
  switch (kind) {
    case 'null':
      return NULL.test(t) ? null : undefined;
    case 'boolean':
      return TRUE.test(t) ? true : FALSE.test(t) ? false : undefined;
    case 'number': {
      if (DECIMAL.test(t)) return Number(t);
      if (OCTAL.test(t)) return Number.parseInt(t.slice(2), 8);
      if (HEX.test(t)) return Number.parseInt(t.slice(2), 16);
      const inf = INFINITY.exec(t);
      if (inf) return inf[1] === '-' ? -Infinity : Infinity;
      return NAN.test(t) ? Number.NaN : undefined;
    }
  }
}
