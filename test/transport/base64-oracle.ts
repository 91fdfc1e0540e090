// The base64 rules of runtime/transport/base64.ts's decoder, read from a string: the tests'
// second opinion on what base64Decode accepts (the runtime itself decodes, and needs no check).
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 0x3d; // '='

/** Which character codes are in the alphabet. */
const IN_ALPHABET = new Uint8Array(128);
for (let i = 0; i < 64; i++) IN_ALPHABET[ALPHABET.charCodeAt(i)] = 1;

/**
 * Whether `text` is base64 in full: only alphabet characters, a length that decodes to whole
 * bytes, and `=` only as padding at the end (padding may be left out). The rules of
 * `base64Decode`; the tests hold the two to one answer.
 */
export function isBase64(text: string): boolean {
  let end = text.length;
  if (end === 0) return false;
  let pads = 0;
  while (end > 0 && text.charCodeAt(end - 1) === PAD && pads < 2) {
    end--;
    pads++;
  }
  if (pads && (end + pads) % 4 !== 0) return false;
  if (end % 4 === 1) return false; // one character carries six bits: not a byte
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || IN_ALPHABET[c] === 0) return false;
  }
  return true;
}
