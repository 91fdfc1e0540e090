// Lines of an NDJSON stream as bytes, and their decoding. Bytes that are not UTF-8 must not
// become U+FFFD on the way in (a name or an identity number silently changed and sent): a line
// holding them is rejected with the byte offset where they start, and nothing is replaced.
import { isUtf8 } from 'node:buffer';

/** The lines of a byte stream, split on LF (a CR before it dropped); the last may lack its LF. */
export async function* byteLines(input: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  let pending: Buffer[] = [];
  for await (const chunk of input) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      yield withoutCr(pending.length ? Buffer.concat([...pending, piece]) : piece);
      pending = [];
      start = nl + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (pending.length) yield withoutCr(Buffer.concat(pending));
}

const withoutCr = (b: Buffer) => (b.length && b[b.length - 1] === 13 ? b.subarray(0, b.length - 1) : b);

/** The line as text, or where its bytes stop being UTF-8. */
export function decodeLine(bytes: Buffer): { text: string } | { badAt: number; bytes: string } {
  if (isUtf8(bytes)) return { text: bytes.toString('utf8') };
  const at = firstInvalid(bytes);
  const shown = [...bytes.subarray(at, at + 4)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
  return { badAt: at, bytes: shown };
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence (RFC 3629). */
export function firstInvalid(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c < 0x80) n = 0;
    else if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0; // no overlong forms
      if (c === 0xed) hi = 0x9f; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f; // nothing above U+10FFFF
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}
