// A Bloom filter over text keys: "certainly absent" or "maybe present". The store asks it before
// looking up a konsultasjonID or source id in its large lookup tables, so that a backfill, where
// nearly every key is new, does not probe a B-tree per record. A false "maybe" only costs the
// lookup it would have made anyway; there are no false "absent" answers.

/** Bits per key at the filter's capacity: about 1 % false "maybe" with 7 probes. */
const BITS_PER_KEY = 10;
const PROBES = 7;

export class KeyFilter {
  private readonly bits: Int32Array;
  private readonly mask: number;
  private added = 0;

  /** `capacity` keys keep the false-positive rate near 1 %; more still work, only less well. */
  constructor(readonly capacity: number) {
    let size = 1 << 16;
    while (size < capacity * BITS_PER_KEY && size < 2 ** 30) size *= 2;
    this.bits = new Int32Array(size >>> 5);
    this.mask = size - 1;
  }

  /** How many keys went in (repeats counted). */
  get count(): number {
    return this.added;
  }

  add(key: string): void {
    const h1 = fnv1a(key);
    const h2 = mix(h1) | 1;
    for (let i = 0, h = h1; i < PROBES; i++, h = (h + h2) | 0) {
      const bit = h & this.mask;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.added++;
  }

  mightHave(key: string): boolean {
    const h1 = fnv1a(key);
    const h2 = mix(h1) | 1;
    for (let i = 0, h = h1; i < PROBES; i++, h = (h + h2) | 0) {
      const bit = h & this.mask;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** FNV-1a over UTF-16 code units: enough spread for ids, and no allocation. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/** A second, independent-enough hash from the first (murmur3's finaliser). */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
