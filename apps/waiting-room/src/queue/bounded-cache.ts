/**
 * A Map with a size bound: when full, the oldest insertion goes. Enough for per-entry caches whose
 * misses only cost one Redis read, and far cheaper per hit than a true LRU.
 */
export class BoundedCache<K, V> {
  readonly #map = new Map<K, V>();

  constructor(private readonly maxSize: number) {}

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  set(key: K, value: V): void {
    if (!this.#map.has(key) && this.#map.size >= this.maxSize) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
    this.#map.set(key, value);
  }

  delete(key: K): void {
    this.#map.delete(key);
  }
}
