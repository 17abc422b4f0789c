/**
 * A Map that keeps at most `max` entries, forgetting the one set longest ago first (setting an
 * entry again makes it the newest). For caches of what is being worked on now: recent records,
 * tokens, profiles, ids.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    this.delete(key);
    super.set(key, value);
    if (this.size > this.max) this.delete(this.keys().next().value as K);
    return this;
  }
}
