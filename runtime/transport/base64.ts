// Standard base64 (RFC 4648 §4, with padding) for the API's payload, written straight into a
// byte buffer. Why not Buffer#toString('base64'): Node 20 has no SIMD encoder (it arrived in
// Node 22), and the JSON body built around the string costs as much again twice (escape scan,
// UTF-8). This table-driven loop is several times faster (docs/operations.md, "Measured");
// tests hold it to Node's output byte for byte.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 0x3d; // '='

/** 12 bits → the two alphabet bytes they encode to. */
const HIGH = new Uint8Array(4096);
const LOW = new Uint8Array(4096);
for (let i = 0; i < 4096; i++) {
  HIGH[i] = ALPHABET.charCodeAt(i >> 6);
  LOW[i] = ALPHABET.charCodeAt(i & 63);
}

/** Length of the base64 text of `n` bytes. */
export function base64Length(n: number): number {
  return Math.ceil(n / 3) * 4;
}

/** Writes the base64 text of `src` into `out` from `at`; returns the offset after it. */
export function base64Into(src: Uint8Array, out: Uint8Array, at: number): number {
  if (out.length - at < base64Length(src.length)) throw new RangeError('base64Into: the output is too small');
  const whole = src.length - (src.length % 3);
  let k = at;
  for (let i = 0; i < whole; i += 3) {
    const v = (src[i]! << 16) | (src[i + 1]! << 8) | src[i + 2]!;
    const hi = v >>> 12;
    const lo = v & 4095;
    out[k] = HIGH[hi]!;
    out[k + 1] = LOW[hi]!;
    out[k + 2] = HIGH[lo]!;
    out[k + 3] = LOW[lo]!;
    k += 4;
  }
  const rest = src.length - whole;
  if (rest === 1) {
    const v = src[whole]! << 4; // 8 bits, then 4 zero bits: two characters
    out[k] = HIGH[v]!;
    out[k + 1] = LOW[v]!;
    out[k + 2] = PAD;
    out[k + 3] = PAD;
    k += 4;
  } else if (rest === 2) {
    const v = (src[whole]! << 10) | (src[whole + 1]! << 2); // 16 bits, then 2 zero bits: three
    const hi = v >>> 6;
    out[k] = HIGH[hi]!;
    out[k + 1] = LOW[hi]!;
    out[k + 2] = ALPHABET.charCodeAt(v & 63);
    out[k + 3] = PAD;
    k += 4;
  }
  return k;
}

/** Character code → its six bits, or -1. */
const DECODE = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/**
 * Decodes the base64 text held as bytes in `src[from, to)` (ASCII, e.g. inside a request body),
 * or undefined when it is not base64 by the rules of `isBase64`. One pass, no string: the
 * sandbox takes a payload of a megabyte out of the body this way.
 */
export function base64Decode(src: Uint8Array, from = 0, to = src.length): Buffer | undefined {
  let end = to;
  let pads = 0;
  while (end > from && src[end - 1] === PAD && pads < 2) {
    end--;
    pads++;
  }
  const n = end - from;
  if (n === 0 || n % 4 === 1 || (pads && (n + pads) % 4 !== 0)) return undefined;
  const out = Buffer.allocUnsafe(Math.floor((n * 3) / 4));
  const whole = from + n - (n % 4);
  let k = 0;
  for (let i = from; i < whole; i += 4) {
    const a = DECODE[src[i]!]!;
    const b = DECODE[src[i + 1]!]!;
    const c = DECODE[src[i + 2]!]!;
    const d = DECODE[src[i + 3]!]!;
    if ((a | b | c | d) < 0) return undefined;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[k] = v >>> 16;
    out[k + 1] = (v >>> 8) & 255;
    out[k + 2] = v & 255;
    k += 3;
  }
  const rest = n % 4;
  if (rest) {
    const a = DECODE[src[whole]!]!;
    const b = DECODE[src[whole + 1]!]!;
    const c = rest === 3 ? DECODE[src[whole + 2]!]! : 0;
    if ((a | b | c) < 0) return undefined;
    out[k++] = (a << 2) | (b >>> 4);
    if (rest === 3) out[k++] = ((b & 15) << 4) | (c >>> 2);
  }
  return out;
}
