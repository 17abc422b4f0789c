/**
 * `o[key] = value` as an own, enumerable data property, also when the key (a parameter name from
 * the wire) is `__proto__`, which plain assignment would take for the object's prototype.
 */
export function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}
