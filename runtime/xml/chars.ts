// What XML 1.0 can carry (production Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
// [#x10000-#x10FFFF]) and how attribute values are escaped. The fast path is one regular
// expression test: values without a special character are returned as they are.

/** Any character that needs escaping or checking in an attribute value. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters; finding them is the point
const SPECIAL = /["&<>\u0000-\u001f\ud800-\udfff\ufffe\uffff]/;

/** Why a value cannot be written; `index` is the UTF-16 offset of the offending character. */
export class BadCharacter {
  constructor(
    readonly codePoint: number,
    readonly index: number,
  ) {}
  describe(): string {
    const hex = this.codePoint.toString(16).toUpperCase().padStart(4, '0');
    const what = this.codePoint >= 0xd800 && this.codePoint <= 0xdfff ? 'a lone surrogate ' : '';
    return `contains ${what}U+${hex} at offset ${this.index}, which XML 1.0 cannot carry`;
  }
}

/**
 * The value escaped for a double-quoted attribute: `& < > "` as entities, and tab, line feed and
 * carriage return as character references so attribute-value normalisation keeps them.
 * Returns a BadCharacter (not a string) when the value holds a character XML 1.0 cannot carry.
 */
export function escapeAttribute(value: string): string | BadCharacter {
  return SPECIAL.test(value) ? escapeSlow(value) : value;
}

function escapeSlow(value: string): string | BadCharacter {
  let out = '';
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    let rep: string;
    if (c >= 0x20 && c < 0xd800 && c !== 0x22 && c !== 0x26 && c !== 0x3c && c !== 0x3e) continue;
    switch (c) {
      case 0x22:
        rep = '&quot;';
        break;
      case 0x26:
        rep = '&amp;';
        break;
      case 0x3c:
        rep = '&lt;';
        break;
      case 0x3e:
        rep = '&gt;';
        break;
      case 0x09:
        rep = '&#9;';
        break;
      case 0x0a:
        rep = '&#10;';
        break;
      case 0x0d:
        rep = '&#13;';
        break;
      default:
        if (c >= 0xd800 && c <= 0xdbff) {
          const d = i + 1 < value.length ? value.charCodeAt(i + 1) : 0;
          if (d >= 0xdc00 && d <= 0xdfff) {
            i++; // a proper pair: an astral character, allowed
            continue;
          }
          return new BadCharacter(c, i);
        }
        if (c < 0x20 || (c >= 0xdc00 && c <= 0xdfff) || c === 0xfffe || c === 0xffff) return new BadCharacter(c, i);
        continue;
    }
    out += value.slice(from, i) + rep;
    from = i + 1;
  }
  return from === 0 ? value : out + value.slice(from);
}
