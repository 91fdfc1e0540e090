// The few keys, tokens and certificates a sandbox sees again with every message, remembered so
// that each is checked or imported once. Bounded: the oldest is forgotten when it is full.
export class Recent<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly max = 64) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    if (this.map.size >= this.max && !this.map.has(key)) this.map.delete(this.map.keys().next().value!);
    this.map.set(key, value);
  }

  delete(key: K): void {
    this.map.delete(key);
  }
}
