// Every text in a record that XML 1.0 cannot carry, found before the record joins a batch: a
// Melding with one such character cannot be written (or read), so the record is held for
// correction and the rest of the batch goes. The same characters are the JSON channels' concern
// where they cannot be encoded (lone surrogates have no UTF-8 form).
import { BadCharacter, escapeAttribute } from './chars.ts';

export interface Unwritable {
  /** JSON pointer of the value (or of the key, for a bad key) inside the record. */
  path: string;
  bad: BadCharacter;
}

/**
 * What may be unwritable: controls other than tab, LF and CR, any surrogate (a proper pair is
 * then let through by escapeAttribute), U+FFFE and U+FFFF. One test per text, and the path is
 * built only for a text that fails: this runs on every record.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters; finding them is the point
const SUSPECT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/;

const pointer = (keys: readonly (string | number)[]) => keys.map((k) => `/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/** The first few unwritable texts (values and keys) in `value`, in document order. */
export function findUnwritable(value: unknown, limit = 10): Unwritable[] {
  const out: Unwritable[] = [];
  const keys: (string | number)[] = [];
  const check = (s: string) => {
    if (!SUSPECT.test(s)) return;
    const r = escapeAttribute(s);
    if (r instanceof BadCharacter) out.push({ path: pointer(keys), bad: r });
  };
  const walk = (v: unknown) => {
    if (out.length >= limit) return;
    if (typeof v === 'string') check(v);
    else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        keys.push(i);
        walk(v[i]);
        keys.pop();
      }
    } else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const k in o) {
        keys.push(k);
        check(k);
        walk(o[k]);
        keys.pop();
      }
    }
  };
  walk(value);
  return out;
}
