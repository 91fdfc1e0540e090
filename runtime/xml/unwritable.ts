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

const pointer = (parent: string, key: string | number) => `${parent}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** The first few unwritable texts (values and keys) in `value`, in document order. */
export function findUnwritable(value: unknown, limit = 10): Unwritable[] {
  const out: Unwritable[] = [];
  const check = (s: string, path: string) => {
    const r = escapeAttribute(s);
    if (r instanceof BadCharacter) out.push({ path, bad: r });
  };
  const walk = (v: unknown, path: string) => {
    if (out.length >= limit) return;
    if (typeof v === 'string') check(v, path);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, pointer(path, i)));
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        check(k, pointer(path, k));
        walk(x, pointer(path, k));
      }
    }
  };
  walk(value, '');
  return out;
}
